// Module hooks for the API process of the dashboard scenario (registered by
// catalog-swap.mjs): service-kit's job catalog resolves to the bench's catalog.ts,
// which declares 50 queues. Everything else the API loads is its built code, unchanged.
import { URL } from 'node:url'

const CATALOG = new URL('./catalog.ts', import.meta.url).href

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context)
  // Resolved through the chain again, so that tsx's hooks know to compile it.
  return resolved.url.endsWith('/service-kit/dist/job-catalog.js')
    ? next(CATALOG, context)
    : resolved
}
