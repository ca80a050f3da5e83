import { api, can } from '../api.js'
import { ErrorNote, Loading } from '../components/notice.js'
import { StateBadge } from '../components/state-badge.js'
import { duration, millis, percent } from '../format.js'
import { useLive } from '../live.js'
import { href } from '../router.js'
import type { Outcomes, Overview as OverviewData, QueueOverview } from '../types.js'
import { useData } from '../use-data.js'

const COUNTS = ['queued', 'scheduled', 'active', 'retrying', 'dead', 'completed'] as const

function failureRate(o: { completed: number; failed: number }): string {
  return percent(o.failed, o.completed + o.failed)
}

/** A span of history in one cell: "12 done, 0.0 % failed", and "run p95 120 ms" below. */
function Span({ o }: { o: Outcomes }) {
  return (
    <>
      {o.completed} done, {failureRate(o)} failed
      {o.runMs && (
        <>
          <br />
          run p95 {millis(o.runMs.p95)}
        </>
      )}
    </>
  )
}

function QueueRow({ queue, reload }: { queue: QueueOverview; reload: () => void }) {
  const toggle = async () => {
    await api(`queues/${queue.name}/${queue.paused ? 'resume' : 'pause'}`, { method: 'POST' })
    reload()
  }
  return (
    <tr>
      <th scope="row">
        <a href={href(['queues', queue.name])}>{queue.name}</a>{' '}
        {queue.paused && <StateBadge state="paused" />}
      </th>
      {COUNTS.map((state) => (
        <td key={state} class="num" data-label={state}>
          {state === 'dead' && queue.dead > 0 ? (
            <a href={href(['dead', queue.name])}>{queue.dead}</a>
          ) : (
            <a href={href(['queues', queue.name], { state })}>{queue[state]}</a>
          )}
        </td>
      ))}
      <td class="num" data-label="oldest waiting">
        {duration(queue.oldestQueuedAgeMs)}
      </td>
      <td class="num" data-label="last hour">
        <Span o={queue.lastHour} />
      </td>
      <td class="num" data-label="last day">
        <Span o={queue.lastDay} />
      </td>
      <td class="num" data-label="workers">
        {queue.workersAlive}
      </td>
      {can('operate') && (
        <td>
          <button type="button" onClick={() => void toggle()}>
            {queue.paused ? `Resume ${queue.name}` : `Pause ${queue.name}`}
          </button>
        </td>
      )}
    </tr>
  )
}

export function Overview() {
  const { data, error, reload } = useData(() => api<OverviewData>('overview'), [])
  useLive(() => true, reload)
  return (
    <section aria-labelledby="title">
      <h1 id="title">Overview</h1>
      <ErrorNote error={error} />
      {!data ? (
        <Loading />
      ) : (
        <>
          <p>
            <strong>{data.workersAlive}</strong> workers alive ·{' '}
            {data.queues.filter((q) => q.paused).length} paused queues
          </p>
          <div class="scroll">
            <table class="stack">
              <caption class="sr-only">Queues and their jobs per state</caption>
              <thead>
                <tr>
                  <th scope="col">Queue</th>
                  {COUNTS.map((s) => (
                    <th key={s} scope="col" class="num">
                      {s}
                    </th>
                  ))}
                  <th scope="col" class="num">
                    oldest waiting
                  </th>
                  <th scope="col" class="num">
                    last hour
                  </th>
                  <th scope="col" class="num">
                    last day
                  </th>
                  <th scope="col" class="num">
                    workers
                  </th>
                  {can('operate') && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {data.queues.map((queue) => (
                  <QueueRow key={queue.name} queue={queue} reload={reload} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  )
}
