import { useEffect, useState } from 'preact/hooks'
import { api, can, q } from '../api.js'
import { LatencyChart, ThroughputChart } from '../components/chart.js'
import { ErrorNote, Loading } from '../components/notice.js'
import { StateBadge } from '../components/state-badge.js'
import { ago } from '../format.js'
import { useLive } from '../live.js'
import { href } from '../router.js'
import { JOB_STATES, type BrowsePage, type History, type JobState } from '../types.js'
import { useData } from '../use-data.js'
import { BulkBar } from './bulk-bar.js'
import { filterParams, QueueFilters } from './queue-filters.js'

export interface QueueProps {
  queue: string
  state: JobState
  type: string
  /** only this group's jobs */
  group: string
  text: string
  cursor: string
  /** jobs a search examined on the pages before this one */
  seen: number
}

function preview(job: BrowsePage['jobs'][number]): string {
  const text = job.payload !== undefined ? JSON.stringify(job.payload) : (job.payloadPreview ?? '')
  return text.length > 80 ? `${text.slice(0, 80)}…` : text
}

export function QueueScreen(props: QueueProps) {
  const { queue, state, type, group, text, cursor, seen } = props
  const filter = filterParams(props)
  // Queued jobs of one group are paged directly; any other filter is a search in chunks.
  const filtered = type !== '' || text !== '' || (group !== '' && state !== 'queued')
  const [selected, setSelected] = useState<string[]>([])
  const [anchor, setAnchor] = useState<number | null>(null)
  // Rows chosen under another filter are out of sight: acting on them would surprise.
  useEffect(() => {
    setSelected([])
    setAnchor(null)
  }, [queue, state, type, group, text])
  const page = useData(
    () =>
      api<BrowsePage>(
        `queues/${queue}/browse${q({ state, type, group, text, cursor, limit: 50 })}`,
      ),
    [queue, state, type, group, text, cursor],
  )
  const history = useData(
    () => api<History>(`queues/${queue}/history?resolution=minute&hours=1`),
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
                href={href(['queues', queue], { ...filter, state: s })}
                aria-current={s === state ? 'page' : undefined}
              >
                {s}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {history.data && (
        <>
          <ThroughputChart points={history.data.points} label="Last hour, per minute" />
          <LatencyChart history={history.data} label="Last hour, per minute" />
        </>
      )}
      <QueueFilters key={`${queue}/${type}/${group}/${text}`} {...props} />
      {group !== '' && (
        <p data-testid="group-filter">
          Only group <strong>{group}</strong> ·{' '}
          <a href={href(['queues', queue], { ...filter, group: '' })}>Show every group</a>
        </p>
      )}
      {can('operate') && (
        <BulkBar
          queue={queue}
          state={state}
          type={type}
          group={group}
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
            {group !== '' && state === 'queued' && ` in group ${group}`}
            {filtered &&
              ` · searched ${seen + page.data.scanned} of ${page.data.total}, ${jobs.length} found here`}
          </p>
          <div class="scroll">
            <table class="stack" data-testid="jobs">
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
                  <th scope="col">Group</th>
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
                    <td data-label="group">
                      {job.group !== undefined && (
                        <a
                          href={href(['queues', queue], { ...filter, group: job.group })}
                          title={`Only group ${job.group}`}
                        >
                          {job.group}
                        </a>
                      )}
                    </td>
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
            {cursor !== '' && <a href={href(['queues', queue], filter)}>First page</a>}
            {page.data.next !== null && (
              <a
                href={href(['queues', queue], {
                  ...filter,
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
