import { useState } from 'preact/hooks'
import { go } from '../router.js'
import type { JobState } from '../types.js'

export interface QueueFilter {
  queue: string
  state: JobState
  type: string
  group: string
  text: string
}

/** What a queue screen's URL keeps of its filter, so that links carry it along. */
export function filterParams(f: QueueFilter): Record<string, string> {
  return { state: f.state, type: f.type, group: f.group, text: f.text }
}

/** Finding one job by id, and filtering the list by type, group and payload text. */
export function QueueFilters(props: QueueFilter) {
  const [id, setId] = useState('')
  const [type, setType] = useState(props.type)
  const [group, setGroup] = useState(props.group)
  const [text, setText] = useState(props.text)
  return (
    <div class="filters">
      <form
        role="search"
        aria-label="Find a job by id"
        onSubmit={(e) => {
          e.preventDefault()
          if (id.trim() !== '') go(['jobs', id.trim()])
        }}
      >
        <label>
          Job id <input value={id} onInput={(e) => setId(e.currentTarget.value)} name="id" />
        </label>
        <button type="submit">Open job</button>
      </form>
      <form
        role="search"
        aria-label="Filter jobs"
        onSubmit={(e) => {
          e.preventDefault()
          // A group name is kept as typed (spaces may be part of it), but never blank.
          const named = group.trim() === '' ? '' : group
          go(['queues', props.queue], { state: props.state, type, group: named, text })
        }}
      >
        <label>
          Type <input value={type} onInput={(e) => setType(e.currentTarget.value)} name="type" />
        </label>
        <label>
          Group{' '}
          <input value={group} onInput={(e) => setGroup(e.currentTarget.value)} name="group" />
        </label>
        <label>
          Payload contains{' '}
          <input value={text} onInput={(e) => setText(e.currentTarget.value)} name="text" />
        </label>
        <button type="submit">Search</button>
      </form>
    </div>
  )
}
