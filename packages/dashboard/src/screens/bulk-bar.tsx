import { useRef, useState } from 'preact/hooks'
import { api, can } from '../api.js'
import type { BulkStep, CountResult, JobState } from '../types.js'

type Action = 'retry' | 'cancel' | 'remove'
/** "All matching" stops after this many jobs; run it again to go on. */
const BULK_CAP = 100_000
const LABEL: Record<Action, string> = { retry: 'Retry', cancel: 'Cancel', remove: 'Delete' }

export interface BulkBarProps {
  queue: string
  state: JobState
  type: string
  /** a group filter ('' = every group), which "all matching" keeps to */
  group: string
  text: string
  selected: string[]
  done: () => void
}

/** Actions on the selected rows, or on every job matching the filter, step by step. */
export function BulkBar(props: BulkBarProps) {
  const [progress, setProgress] = useState<string>('')
  const [running, setRunning] = useState(false)
  const stop = useRef(false)
  const actions: Action[] = (['retry', 'cancel', 'remove'] as const).filter((a) =>
    can(a === 'remove' ? 'admin' : 'operate'),
  )
  if (actions.length === 0) return null
  const onSelected = async (action: Action) => {
    const { count } = await api<CountResult>('jobs/bulk', {
      method: 'POST',
      body: { action, ids: props.selected },
    })
    setProgress(`${LABEL[action]}: ${count} of ${props.selected.length} selected jobs`)
    props.done()
  }

  const onAll = async (action: Action) => {
    if (!confirm(`${LABEL[action]} every ${props.state} job matching the filter?`)) return
    stop.current = false
    setRunning(true)
    let cursor: string | undefined
    let count = 0
    let scanned = 0
    try {
      for (;;) {
        const step: BulkStep = await api<BulkStep>(`queues/${props.queue}/bulk`, {
          method: 'POST',
          body: {
            action,
            state: props.state,
            ...(props.type === '' ? {} : { type: props.type }),
            ...(props.group === '' ? {} : { group: props.group }),
            ...(props.text === '' ? {} : { text: props.text }),
            ...(cursor === undefined ? {} : { cursor }),
          },
        })
        count += step.count
        scanned += step.scanned
        setProgress(
          `${LABEL[action]}: ${count} jobs so far (looked at ${scanned} of ${step.total})`,
        )
        // Jobs that left a ready list shift the ones after them: look at the same place again.
        const again = props.state === 'queued' && action !== 'retry' && step.count > 0
        if (step.next === null && !again) break
        if (count >= BULK_CAP) {
          setProgress(`Stopped at the cap: ${LABEL[action]} ${count} jobs; run again to go on`)
          stop.current = true
          break
        }
        if (stop.current) {
          setProgress(`Stopped: ${LABEL[action]} ${count} jobs`)
          break
        }
        if (!again) cursor = step.next ?? undefined
      }
      if (!stop.current) setProgress(`Done: ${LABEL[action]} ${count} jobs`)
    } finally {
      setRunning(false)
      props.done()
    }
  }

  return (
    <div class="bulk" role="group" aria-label="Bulk actions">
      <span>{props.selected.length} selected</span>
      {actions.map((a) => (
        <button
          key={a}
          type="button"
          disabled={props.selected.length === 0 || running}
          onClick={() => void onSelected(a)}
        >
          {LABEL[a]} selected
        </button>
      ))}
      {actions.map((a) => (
        <button key={`all-${a}`} type="button" disabled={running} onClick={() => void onAll(a)}>
          {LABEL[a]} all matching
        </button>
      ))}
      {running && (
        <button type="button" onClick={() => (stop.current = true)}>
          Stop
        </button>
      )}
      <span role="status" class="progress-text">
        {progress}
      </span>
    </div>
  )
}
