import { useMemo, useState } from 'preact/hooks'
import { api, ApiFailure, can } from '../api.js'
import { FlowGraph } from '../components/flow-graph.js'
import { ErrorNote, Loading } from '../components/notice.js'
import { StateBadge } from '../components/state-badge.js'
import { time } from '../format.js'
import { useLive } from '../live.js'
import { href } from '../router.js'
import type { FlowGraph as Graph, FlowJob } from '../types.js'
import { useData } from '../use-data.js'

/** A flow too big to draw lists this many of its jobs. */
const LISTED = 200

function JobList({ jobs, types }: { jobs: FlowJob[]; types: Record<string, string> }) {
  return (
    <div class="scroll">
      <table class="stack">
        <caption class="sr-only">Jobs of the flow</caption>
        <thead>
          <tr>
            <th scope="col">In the flow</th>
            <th scope="col">Type</th>
            <th scope="col">State</th>
            <th scope="col">Waits for</th>
            <th scope="col">Job</th>
          </tr>
        </thead>
        <tbody>
          {jobs.slice(0, LISTED).map((j) => (
            <tr key={j.node}>
              <td data-label="in the flow">{j.node}</td>
              <td data-label="type">{types[j.node] ?? '–'}</td>
              <td data-label="state">
                <StateBadge state={j.state} />
              </td>
              <td data-label="waits for">{j.dependsOn.join(', ') || '–'}</td>
              <td data-label="job">
                <a href={href(['jobs', j.id])}>{j.id}</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {jobs.length > LISTED && (
        <p>
          The first {LISTED} of {jobs.length} jobs.
        </p>
      )}
    </div>
  )
}

export function FlowScreen({ id }: { id: string }) {
  const { data, error, reload } = useData(
    () => api<Graph>(`flows/${encodeURIComponent(id)}/graph`),
    [id],
  )
  const [actionError, setActionError] = useState<Error | undefined>()
  const ids = useMemo(() => new Set(data?.flow.jobs.map((j) => j.id)), [data])
  useLive((e) => e.ids.some((jobId) => ids.has(jobId)), reload)
  const cancel = async () => {
    if (!confirm(`Cancel every unfinished job of flow ${id}?`)) return
    setActionError(undefined)
    try {
      await api(`flows/${encodeURIComponent(id)}/cancel`, { method: 'POST' })
      reload()
    } catch (err) {
      setActionError(err instanceof Error ? err : new Error(String(err)))
    }
  }
  if (error instanceof ApiFailure && error.status === 404) {
    return (
      <section aria-labelledby="title">
        <h1 id="title">Flow {id}</h1>
        <p>No such flow (it may have been trimmed by retention).</p>
        <p>
          <a href={href(['flows'])}>Look up another flow or batch</a>
        </p>
      </section>
    )
  }
  const flow = data?.flow
  return (
    <section aria-labelledby="title">
      <h1 id="title">
        Flow {id}
        {flow?.name !== undefined && ` · ${flow.name}`}
      </h1>
      <ErrorNote error={error ?? actionError} />
      {!data || !flow ? (
        <Loading />
      ) : (
        <>
          <dl class="facts">
            <dt>State</dt>
            <dd data-testid="flow-state">
              <StateBadge state={flow.state} />
            </dd>
            <dt>Jobs</dt>
            <dd data-testid="flow-counts">
              {flow.counts.total} in all · {flow.counts.finished} finished · {flow.counts.dead} dead
              · {flow.counts.cancelled} cancelled
            </dd>
            <dt>Created</dt>
            <dd>{time(flow.createdAt)}</dd>
            <dt>Finished</dt>
            <dd>{time(flow.finishedAt)}</dd>
          </dl>
          {can('operate') && flow.state === 'running' && (
            <div class="actions" role="group" aria-label="Flow actions">
              <button type="button" onClick={() => void cancel()}>
                Cancel flow
              </button>
            </div>
          )}
          <h2>Graph</h2>
          {data.types ? (
            <>
              <p class="muted">
                Each job waits for the jobs above it that point to it; select one to open it.
              </p>
              <FlowGraph jobs={flow.jobs} types={data.types} />
              <details>
                <summary>The jobs as a list</summary>
                <JobList jobs={flow.jobs} types={data.types} />
              </details>
            </>
          ) : (
            <>
              <p>{flow.jobs.length} jobs: too many to draw here.</p>
              <JobList jobs={flow.jobs} types={{}} />
            </>
          )}
        </>
      )}
    </section>
  )
}
