import { expect } from 'vitest'

// Asymmetric matchers are typed `any`; as `unknown` they fit in expected objects
// without switching off the lint rules that guard against `any`.
export const anyString: unknown = expect.any(String)
export const anyNumber: unknown = expect.any(Number)
