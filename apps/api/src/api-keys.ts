/** What a key may do: read only; also retry, cancel, pause and bulk actions; also delete and edit. */
export type Role = 'read' | 'operate' | 'admin'

export const ROLES: readonly Role[] = ['read', 'operate', 'admin']

export interface ApiKey {
  /** shown in the audit log; a short hash of the key when not named */
  name: string | undefined
  role: Role
  secret: string
}

/**
 * Parses API_KEYS entries. A plain entry is a key with every right, as before roles
 * existed; `name:role:secret` names a key and limits it to a role (read, operate, admin).
 */
export function parseApiKeys(entries: readonly string[]): ApiKey[] {
  return entries.map((entry) => {
    const match = /^([A-Za-z0-9_.-]{1,64}):(read|operate|admin):(.+)$/.exec(entry)
    if (!match) return { name: undefined, role: 'admin', secret: entry }
    return { name: match[1], role: match[2] as Role, secret: match[3] ?? '' }
  })
}

/** Whether a key of role `has` may do what needs role `needs`. */
export function allows(has: Role, needs: Role): boolean {
  return ROLES.indexOf(has) >= ROLES.indexOf(needs)
}
