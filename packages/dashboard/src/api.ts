import type { Role, Session } from './types.js'

/**
 * The dashboard's one way to the API: every screen goes through the public HTTP API,
 * found relative to the page, so the API may sit under any sub-path behind a proxy.
 */
const uiPath =
  document.querySelector('meta[name="conveyor-ui-path"]')?.getAttribute('content') ?? '/ui'

function apiRoot(): string {
  const path = location.pathname
  const at = path.lastIndexOf(`${uiPath}/`)
  return at >= 0 ? path.slice(0, at + 1) : '/'
}

export const apiBase = apiRoot()

let session: Session = { authRequired: false, role: 'admin' }
const unauthorised = new Set<() => void>()

export function currentSession(): Session {
  return session
}

export function setSession(next: Session): void {
  session = next
}

/** Called when the API answers 401: the page shows the key form. */
export function onUnauthorised(listener: () => void): () => void {
  unauthorised.add(listener)
  return () => unauthorised.delete(listener)
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message)
  }
}

export async function api<T>(
  path: string,
  options: { method?: string; body?: unknown } = {},
): Promise<T> {
  const method = options.method ?? 'GET'
  const headers: Record<string, string> = { accept: 'application/json' }
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET' && session.csrf !== undefined) headers['x-csrf-token'] = session.csrf
  const res = await fetch(`${apiBase}${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  })
  if (res.status === 204) return undefined as T
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>
  if (!res.ok) {
    if (res.status === 401) for (const l of unauthorised) l()
    throw new ApiFailure(
      res.status,
      typeof json.error === 'string' ? json.error : 'error',
      typeof json.message === 'string' ? json.message : res.statusText,
      (json.details as { path: string; message: string }[] | undefined) ?? [],
    )
  }
  return json as T
}

/** Whether the current key may do what needs `role`. */
export function can(role: Role): boolean {
  const order: Role[] = ['read', 'operate', 'admin']
  return order.indexOf(session.role ?? 'read') >= order.indexOf(role)
}

export const q = (params: Record<string, string | number | undefined>): string => {
  const parts = Object.entries(params).filter(
    (e): e is [string, string | number] => e[1] !== undefined && e[1] !== '',
  )
  return parts.length === 0
    ? ''
    : `?${parts.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`
}
