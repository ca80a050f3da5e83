import { api } from '../api.js'
import { ErrorNote, Loading } from '../components/notice.js'
import { StateBadge } from '../components/state-badge.js'
import { bytes, duration } from '../format.js'
import { useLive } from '../live.js'
import { href } from '../router.js'
import type { WorkerList } from '../types.js'
import { useData } from '../use-data.js'

export function Workers() {
  const { data, error, reload } = useData(() => api<WorkerList>('workers'), [])
  useLive((e) => e.event === 'active' || e.event === 'completed', reload)
  return (
    <section aria-labelledby="title">
      <h1 id="title">Workers</h1>
      <ErrorNote error={error} />
      {!data ? (
        <Loading />
      ) : data.workers.length === 0 ? (
        <p>No worker has sent a heartbeat in the last hour.</p>
      ) : (
        <div class="scroll">
          <table class="stack">
            <caption class="sr-only">Workers by host and process</caption>
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Host</th>
                <th scope="col" class="num">
                  PID
                </th>
                <th scope="col">Queue</th>
                <th scope="col">Version</th>
                <th scope="col" class="num">
                  Slots used
                </th>
                <th scope="col">Running now</th>
                <th scope="col" class="num">
                  Heartbeat
                </th>
                <th scope="col" class="num">
                  Memory
                </th>
              </tr>
            </thead>
            <tbody>
              {data.workers.map((w) => (
                <tr key={w.id}>
                  <td data-label="status">
                    <StateBadge state={w.status} />
                  </td>
                  <td data-label="host">{w.host}</td>
                  <td class="num" data-label="pid">
                    {w.pid}
                  </td>
                  <td data-label="queue">
                    <a href={href(['queues', w.queue])}>{w.queue}</a>
                  </td>
                  <td data-label="version">{w.version}</td>
                  <td class="num" data-label="slots">
                    {w.busy} / {w.concurrency}
                  </td>
                  <td data-label="running">
                    {w.running.map((id) => (
                      <a key={id} href={href(['jobs', id])}>
                        {id}{' '}
                      </a>
                    ))}
                  </td>
                  <td class="num" data-label="heartbeat">
                    {duration(w.heartbeatAgeMs)} ago
                  </td>
                  <td class="num" data-label="memory">
                    {bytes(w.rssBytes)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
