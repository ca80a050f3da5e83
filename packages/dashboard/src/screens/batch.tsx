import { useRef } from 'preact/hooks'
import { api, ApiFailure } from '../api.js'
import { ErrorNote, Loading } from '../components/notice.js'
import { StateBadge } from '../components/state-badge.js'
import { time } from '../format.js'
import { useLive } from '../live.js'
import { href } from '../router.js'
import type { BatchView, JobView } from '../types.js'
import { useData } from '../use-data.js'

/** A batch lists at most this many of its failed jobs. */
const LISTED = 100
/** events a done batch still follows, waiting for its callbacks to be enqueued */
const LATE_EVENTS = 20

const WHEN: Record<string, string> = {
  onSuccess: 'once every job completed',
  onComplete: 'once every job finished, whatever the outcome',
}

function Callback({ kind, id, done }: { kind: string; id: string | undefined; done: boolean }) {
  const job = useData(
    () =>
      id === undefined
        ? Promise.resolve(undefined)
        : api<JobView>(`jobs/${encodeURIComponent(id)}`).catch((err: unknown) => {
            // A callback not enqueued yet, or trimmed since: no state to show.
            if (err instanceof ApiFailure && err.status === 404) return undefined
            throw err
          }),
    [id],
  )
  useLive((e) => id !== undefined && e.ids.includes(id), job.reload)
  return (
    <tr>
      <th scope="row">{kind}</th>
      <td data-label="runs">{WHEN[kind]}</td>
      <td data-label="job">
        {id === undefined ? (
          `not fired${done ? '' : ' yet'}`
        ) : (
          <a href={href(['jobs', id])}>{id}</a>
        )}
      </td>
      <td data-label="state" data-testid={`callback-${kind}`}>
        {job.error ? (
          <ErrorNote error={job.error} />
        ) : job.data ? (
          <StateBadge state={job.data.state} />
        ) : (
          '–'
        )}
      </td>
    </tr>
  )
}

export function BatchScreen({ id }: { id: string }) {
  const {
    data: batch,
    error,
    reload,
  } = useData(() => api<BatchView>(`batches/${encodeURIComponent(id)}`), [id])
  // Only its failed ids are known here, so any job event may move it: refreshes are
  // coalesced to one a second, and stop once the batch is done. A batch is marked done
  // a moment before its callbacks are enqueued, so a done batch follows a few more
  // events until both show (it may have none: hence the few).
  const late = useRef(0)
  useLive(() => {
    if (batch?.state !== 'done') return true
    if (batch.callbacks.onSuccess !== undefined && batch.callbacks.onComplete !== undefined) {
      return false
    }
    late.current += 1
    return late.current <= LATE_EVENTS
  }, reload)
  if (error instanceof ApiFailure && error.status === 404) {
    return (
      <section aria-labelledby="title">
        <h1 id="title">Batch {id}</h1>
        <p>No such batch (it may have been trimmed by retention).</p>
        <p>
          <a href={href(['flows'])}>Look up another flow or batch</a>
        </p>
      </section>
    )
  }
  return (
    <section aria-labelledby="title">
      <h1 id="title">
        Batch {id}
        {batch?.name !== undefined && ` · ${batch.name}`}
      </h1>
      <ErrorNote error={error} />
      {!batch ? (
        <Loading />
      ) : (
        <>
          <dl class="facts">
            <dt>State</dt>
            <dd data-testid="batch-state">
              <StateBadge state={batch.state} />{' '}
              {batch.state === 'open'
                ? '(jobs may be added)'
                : batch.state === 'closed'
                  ? '(no more jobs; waiting for them to finish)'
                  : '(every job finished)'}
            </dd>
            <dt>Created</dt>
            <dd>{time(batch.createdAt)}</dd>
            <dt>Finished</dt>
            <dd>{time(batch.finishedAt)}</dd>
          </dl>
          <h2>Jobs</h2>
          <table class="counts" data-testid="batch-counts">
            <caption class="sr-only">Jobs of the batch by outcome</caption>
            <tbody>
              {(['total', 'completed', 'dead', 'cancelled', 'pending'] as const).map((k) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td class="num" data-label={k}>
                    {batch.counts[k]}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Callbacks</h2>
          <div class="scroll">
            <table class="stack">
              <caption class="sr-only">Callbacks of the batch</caption>
              <thead>
                <tr>
                  <th scope="col">Callback</th>
                  <th scope="col">Runs</th>
                  <th scope="col">Job</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                <Callback
                  kind="onSuccess"
                  id={batch.callbacks.onSuccess}
                  done={batch.state === 'done'}
                />
                <Callback
                  kind="onComplete"
                  id={batch.callbacks.onComplete}
                  done={batch.state === 'done'}
                />
              </tbody>
            </table>
          </div>
          <h2>Failed jobs</h2>
          {batch.failed.length === 0 ? (
            <p>None.</p>
          ) : (
            <>
              <ul data-testid="batch-failed">
                {batch.failed.slice(0, LISTED).map((jobId) => (
                  <li key={jobId}>
                    <a href={href(['jobs', jobId])}>{jobId}</a>
                  </li>
                ))}
              </ul>
              {batch.failed.length > LISTED && (
                <p>
                  The first {LISTED} of {batch.failed.length}.
                </p>
              )}
            </>
          )}
        </>
      )}
    </section>
  )
}
