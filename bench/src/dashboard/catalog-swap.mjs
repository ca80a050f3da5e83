// `node --import tsx --import <this file> apps/api/dist/main.js`: the API with the
// bench's 50-queue job catalog (see catalog-hooks.mjs). tsx loads catalog.ts.
import { register } from 'node:module'

register('./catalog-hooks.mjs', import.meta.url)
