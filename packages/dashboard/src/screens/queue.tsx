import { useState } from 'preact/hooks'
import { api, can, q } from '../api.js'
import { ThroughputChart } from '../components/chart.js'
import { ErrorNote, Loading } from '../components/notice.js'
import { StateBadge } from '../components/state-badge.js'
import { ago } from '../format.js'
import { useLive } from '../live.js'
import { go, href } from '../router.js'
import { JOB_STATES, type BrowsePage, type HistoryPoint, type JobState } from '../types.js'
import { useData } from '../use-data.js'
import { BulkBar } from './bulk-bar.js'

export interface QueueProps {
  queue: string
  state: JobState
  type: string
  text: string
  cursor: string
  /** jobs a search examined on the pages before this one */
  seen: number
}

function preview(job: BrowsePage['jobs'][number]): string {
  const text = job.payload !== undefined ? JSON.stringify(job.payload) : (job.payloadPreview ?? '')
  return text.length > 80 ? `${text.slice(0, 80)}…` : text
}

function Filters(props: QueueProps) {
  const [id, setId] = useState('')
  const [type, setType] = useState(props.type)
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
          go(['queues', props.queue], { state: props.state, type, text })
        }}
      >
        <label>
          Type <input value={type} onInput={(e) => setType(e.currentTarget.value)} name="type" />
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

export function QueueScreen(props: QueueProps) {
  const { queue, state, type, text, cursor, seen } = props
  const filtered = type !== '' || text !== ''
  const [selected, setSelected] = useState<string[]>([])
  const [anchor, setAnchor] = useState<number | null>(null)
  const page = useData(
    () => api<BrowsePage>(`queues/${queue}/browse${q({ state, type, text, cursor, limit: 50 })}`),
    [queue, state, type, text, cursor],
  )
  const history = useData(
    () => api<{ points: HistoryPoint[] }>(`queues/${queue}/history?resolution=minute&hours=1`),
    [queue],
  )
  useLive(
    (e) => e.queue === queue,
    () => {
      if (!filtered) page.reload()
      history.reload()
    },
  )
  const jobs = page.data?.jobs ?? []

  const toggle = (index: number, shift: boolean) => {
    const id = jobs[index]?.id
    if (id === undefined) return
    const on = !selected.includes(id)
    let ids = [id]
    if (shift && anchor !== null) {
      const [from, to] = anchor < index ? [anchor, index] : [index, anchor]
      ids = jobs.slice(from, to + 1).map((j) => j.id)
    }
    setSelected((now) =>
      on ? [...new Set([...now, ...ids])] : now.filter((s) => !ids.includes(s)),
    )
    setAnchor(index)
  }

  return (
    <section aria-labelledby="title">
      <h1 id="title">Queue {queue}</h1>
      <p>
        <a href={href(['queues', queue, 'limits'])}>Limits and groups</a>
      </p>
      <nav aria-label="Job states" class="tabs">
        <ul>
          {JOB_STATES.map((s) => (
            <li key={s}>
              <a
                href={href(['queues', queue], { state: s, type, text })}
                aria-current={s === state ? 'page' : undefined}
              >
                {s}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {history.data && (
        <ThroughputChart points={history.data.points} label="Last hour, per minute" />
      )}
      <Filters key={`${queue}/${type}/${text}`} {...props} />
      {can('operate') && (
        <BulkBar
          queue={queue}
          state={state}
          type={type}
          text={text}
          selected={selected}
          done={() => {
            setSelected([])
            page.reload()
          }}
        />
      )}
      <ErrorNote error={page.error} />
      {!page.data ? (
        <Loading />
      ) : (
        <>
          <p role="status">
            {page.data.total} {state} jobs
            {filtered &&
              ` · searched ${seen + page.data.scanned} of ${page.data.total}, ${jobs.length} found here`}
          </p>
          <div class="scroll">
            <table class="stack">
              <caption class="sr-only">
                {state} jobs of {queue}
              </caption>
              <thead>
                <tr>
                  {can('operate') && (
                    <th scope="col">
                      <span class="sr-only">Select</span>
                    </th>
                  )}
                  <th scope="col">Job</th>
                  <th scope="col">Type</th>
                  <th scope="col">State</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Created</th>
                  <th scope="col">Payload</th>
                  <th scope="col">Last error</th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((job, i) => (
                  <tr key={job.id}>
                    {can('operate') && (
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`Select ${job.id}`}
                          checked={selected.includes(job.id)}
                          onClick={(e) => {
                            e.preventDefault()
                            toggle(i, e.shiftKey)
                          }}
                        />
                      </td>
                    )}
                    <td data-label="job">
                      <a href={href(['jobs', job.id])}>{job.id}</a>
                    </td>
                    <td data-label="type">{job.type}</td>
                    <td data-label="state">
                      <StateBadge state={job.state} />
                    </td>
                    <td data-label="attempts">
                      {job.attempts}/{job.maxAttempts}
                    </td>
                    <td data-label="created">{ago(job.createdAt)}</td>
                    <td data-label="payload">
                      <code>{preview(job)}</code>
                    </td>
                    <td data-label="error">{job.lastError?.message ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {jobs.length === 0 && <p>No jobs here{filtered && ' yet (search further)'}.</p>}
          <div class="pager">
            {cursor !== '' && (
              <a href={href(['queues', queue], { state, type, text })}>First page</a>
            )}
            {page.data.next !== null && (
              <a
                href={href(['queues', queue], {
                  state,
                  type,
                  text,
                  cursor: page.data.next,
                  ...(filtered ? { seen: String(seen + page.data.scanned) } : {}),
                })}
              >
                {filtered
                  ? `Search further (searched ${seen + page.data.scanned} of ${page.data.total})`
                  : 'Next page'}
              </a>
            )}
          </div>
        </>
      )}
    </section>
  )
}
