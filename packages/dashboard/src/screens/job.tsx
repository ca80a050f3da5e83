import { useRef, useState } from 'preact/hooks'
import { api, ApiFailure, can } from '../api.js'
import { ErrorNote, Loading } from '../components/notice.js'
import { StateBadge } from '../components/state-badge.js'
import { time } from '../format.js'
import { useLive } from '../live.js'
import { go, href } from '../router.js'
import type { JobView } from '../types.js'
import { useData } from '../use-data.js'

/** Payloads longer than this show cut, with a button to show all of it. */
const SHOWN_CHARS = 2_000

function Json({ value, label }: { value: unknown; label: string }) {
  const [all, setAll] = useState(false)
  const text = JSON.stringify(value, null, 2) ?? 'undefined'
  const cut = !all && text.length > SHOWN_CHARS
  return (
    <details open>
      <summary>{label}</summary>
      <pre tabIndex={0}>{cut ? `${text.slice(0, SHOWN_CHARS)}…` : text}</pre>
      {cut && (
        <button type="button" onClick={() => setAll(true)}>
          Load all ({text.length} characters)
        </button>
      )}
    </details>
  )
}

function Timeline({ job }: { job: JobView }) {
  const steps: [string, string | undefined][] = [
    ['enqueued', job.createdAt],
    ['due', job.runAt],
    ['started (latest attempt)', job.startedAt],
    [`attempt ${job.lastError?.attempt ?? ''} failed`, job.lastError?.failedAt],
    [`finished: ${job.state}`, job.finishedAt],
  ]
  return (
    <ol class="timeline">
      {steps
        .filter((s): s is [string, string] => s[1] !== undefined)
        .sort((a, b) => Date.parse(a[1]) - Date.parse(b[1]))
        .map(([what, at]) => (
          <li key={what}>
            <time dateTime={at}>{time(at)}</time> {what}
          </li>
        ))}
    </ol>
  )
}

function Reenqueue({ job }: { job: JobView }) {
  const [text, setText] = useState(() => JSON.stringify(job.payload, null, 2))
  const [error, setError] = useState<Error | undefined>()
  const submit = async () => {
    let payload: unknown
    try {
      payload = JSON.parse(text)
    } catch {
      setError(new Error('the payload is not valid JSON'))
      return
    }
    try {
      const made = await api<JobView>(`jobs/${encodeURIComponent(job.id)}/reenqueue`, {
        method: 'POST',
        body: { payload },
      })
      go(['jobs', made.id])
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)))
    }
  }
  return (
    <details>
      <summary>Re-enqueue with an edited payload</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          void submit()
        }}
      >
        <label>
          Payload (JSON)
          <textarea
            rows={8}
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            name="payload"
          />
        </label>
        <ErrorNote error={error} />
        <button type="submit">Enqueue a copy</button>
      </form>
    </details>
  )
}

export function JobScreen({ id }: { id: string }) {
  const {
    data: job,
    error,
    reload,
  } = useData(() => api<JobView>(`jobs/${encodeURIComponent(id)}`), [id])
  const [actionError, setActionError] = useState<Error | undefined>()
  // A deleted job is not read again (its removal event would ask to).
  const deleted = useRef(false)
  useLive((e) => e.ids.includes(id) && !deleted.current, reload)
  const act = async (path: string, method = 'POST') => {
    setActionError(undefined)
    deleted.current = method === 'DELETE'
    try {
      await api(`jobs/${encodeURIComponent(id)}${path}`, { method })
      if (method === 'DELETE') go(['queues', job?.queue ?? ''])
      else reload()
    } catch (err) {
      setActionError(err instanceof Error ? err : new Error(String(err)))
    }
  }
  if (error instanceof ApiFailure && error.status === 404) {
    return (
      <section aria-labelledby="title">
        <h1 id="title">Job {id}</h1>
        <p>No such job (it may have been deleted or trimmed by retention).</p>
      </section>
    )
  }
  return (
    <section aria-labelledby="title">
      <h1 id="title">Job {id}</h1>
      <ErrorNote error={error ?? actionError} />
      {!job ? (
        <Loading />
      ) : (
        <>
          <dl class="facts">
            <dt>State</dt>
            <dd data-testid="job-state">
              <StateBadge state={job.state} />
            </dd>
            <dt>Queue</dt>
            <dd>
              <a href={href(['queues', job.queue])}>{job.queue}</a>
            </dd>
            <dt>Type</dt>
            <dd>{job.type}</dd>
            {job.flow && (
              <>
                <dt>Flow</dt>
                <dd>
                  <a href={href(['flows', job.flow.id])} data-testid="job-flow">
                    {job.flow.id}
                  </a>{' '}
                  (as {job.flow.node})
                </dd>
              </>
            )}
            {job.batch !== undefined && (
              <>
                <dt>Batch</dt>
                <dd>
                  <a href={href(['batches', job.batch])} data-testid="job-batch">
                    {job.batch}
                  </a>
                </dd>
              </>
            )}
            {job.group !== undefined && (
              <>
                <dt>Group</dt>
                <dd>
                  <a href={href(['queues', job.queue, 'limits'], { group: job.group })}>
                    {job.group}
                  </a>
                </dd>
              </>
            )}
            <dt>Attempts</dt>
            <dd>
              {job.attempts} of {job.maxAttempts} (stalls: {job.stalls})
            </dd>
            <dt>Progress</dt>
            <dd data-testid="job-progress">
              {job.progress === undefined ? '–' : JSON.stringify(job.progress)}
            </dd>
            <dt>Priority</dt>
            <dd>{job.priority}</dd>
          </dl>
          {can('operate') && (
            <div class="actions" role="group" aria-label="Job actions">
              {(job.state === 'dead' || job.state === 'cancelled') && (
                <button type="button" onClick={() => void act('/retry')}>
                  Retry
                </button>
              )}
              {(job.state === 'scheduled' || job.state === 'retrying') && (
                <button type="button" onClick={() => void act('/run-now')}>
                  Run now
                </button>
              )}
              {['queued', 'scheduled', 'retrying'].includes(job.state) && (
                <button type="button" onClick={() => void act('/cancel')}>
                  Cancel
                </button>
              )}
              {can('admin') && job.state !== 'active' && (
                <button type="button" onClick={() => void act('', 'DELETE')}>
                  Delete
                </button>
              )}
            </div>
          )}
          <h2>Timeline</h2>
          <Timeline job={job} />
          <Json value={job.payload} label="Payload" />
          <Json
            value={{
              priority: job.priority,
              maxAttempts: job.maxAttempts,
              backoff: job.backoff,
              timeoutMs: job.timeoutMs,
            }}
            label="Options"
          />
          {job.result !== undefined && <Json value={job.result} label="Result" />}
          {job.lastError && (
            <details open>
              <summary>Last error (attempt {job.lastError.attempt})</summary>
              <p>
                {job.lastError.code && <code>{job.lastError.code}</code>} {job.lastError.message}
              </p>
              {job.lastError.stack && <pre tabIndex={0}>{job.lastError.stack}</pre>}
            </details>
          )}
          {can('operate') && <Reenqueue job={job} />}
        </>
      )}
    </section>
  )
}
