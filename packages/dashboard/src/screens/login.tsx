import { useState } from 'preact/hooks'
import { api, setSession } from '../api.js'
import type { Session } from '../types.js'
import { ErrorNote } from '../components/notice.js'

/** Trades an API key for a session cookie; the key itself is not kept by the page. */
export function Login({ done }: { done: (session: Session) => void }) {
  const [key, setKey] = useState('')
  const [error, setError] = useState<Error | undefined>()
  const submit = async () => {
    try {
      const session = await api<Session>('session', { method: 'POST', body: { key } })
      setSession(session)
      done(session)
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)))
    }
  }
  return (
    <main id="main" class="login">
      <h1>Conveyor</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          void submit()
        }}
      >
        <label>
          API key
          <input
            type="password"
            name="key"
            autoComplete="current-password"
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            required
          />
        </label>
        <ErrorNote error={error} />
        <button type="submit">Sign in</button>
      </form>
    </main>
  )
}
