/** A symbol for each state, so that a state never rests on its colour alone. */
export const SYMBOL: Record<string, string> = {
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
  // Not ⧗ (U+29D7): Debian's fonts lack it, and it showed as an empty box.
  waiting: '◌',
  unknown: '?',
  running: '▶',
  failed: '✕',
  open: '○',
  closed: '◉',
  done: '■',
}

export function StateBadge({ state }: { state: string }) {
  return (
    <span class={`badge badge-${state}`}>
      <span aria-hidden="true">{SYMBOL[state] ?? '•'}</span> {state}
    </span>
  )
}
