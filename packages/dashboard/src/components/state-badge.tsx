/** A symbol for each state, so that a state never rests on its colour alone. */
const SYMBOL: Record<string, string> = {
  queued: '…',
  scheduled: '◷',
  active: '▶',
  retrying: '↻',
  completed: '✓',
  dead: '✕',
  cancelled: '⊘',
  paused: '❚❚',
  alive: '●',
  stale: '◐',
  finished: '■',
}

export function StateBadge({ state }: { state: string }) {
  return (
    <span class={`badge badge-${state}`}>
      <span aria-hidden="true">{SYMBOL[state] ?? '•'}</span> {state}
    </span>
  )
}
