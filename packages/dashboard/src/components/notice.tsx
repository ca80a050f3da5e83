import { ApiFailure } from '../api.js'

export function ErrorNote({ error }: { error: Error | undefined }) {
  if (!error) return null
  const details = error instanceof ApiFailure ? error.details : []
  return (
    <div class="error" role="alert">
      <strong>Error:</strong> {error.message}
      {details.length > 0 && (
        <ul>
          {details.map((d) => (
            <li key={d.path}>
              <code>{d.path}</code> {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

export function Loading() {
  return (
    <p class="muted" role="status">
      Loading…
    </p>
  )
}
