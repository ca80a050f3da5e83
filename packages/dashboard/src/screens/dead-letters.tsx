import { useState } from 'preact/hooks'
import { api, can } from '../api.js'
import { ErrorNote, Loading } from '../components/notice.js'
import { time } from '../format.js'
import { useLive } from '../live.js'
import { href } from '../router.js'
import type { CountResult, DeadGroup, DeadGroups, Overview } from '../types.js'
import { useData } from '../use-data.js'

function Groups({ queue }: { queue: string }) {
  const { data, error, reload } = useData(
    () => api<DeadGroups>(`queues/${queue}/dead/groups`),
    [queue],
  )
  const [note, setNote] = useState('')
  useLive((e) => e.queue === queue && (e.event === 'dead' || e.event === 'queued'), reload)
  const act = async (group: DeadGroup, action: 'retry' | 'remove') => {
    const verb = action === 'retry' ? 'Requeue' : 'Delete'
    if (!confirm(`${verb} all ${group.count} dead jobs of this group?`)) return
    const { count } = await api<CountResult>(`queues/${queue}/dead/groups/act`, {
      method: 'POST',
      body: { fingerprint: group.fingerprint, action },
    })
    setNote(`${verb}d ${count} jobs`)
    reload()
  }
  return (
    <>
      <ErrorNote error={error} />
      <p role="status">{note}</p>
      {!data ? (
        <Loading />
      ) : data.groups.length === 0 ? (
        <p>No dead letters in {queue}.</p>
      ) : (
        <div class="scroll">
          <table class="stack">
            <caption class="sr-only">Dead letters of {queue} grouped by error</caption>
            <thead>
              <tr>
                <th scope="col">Error</th>
                <th scope="col" class="num">
                  Jobs
                </th>
                <th scope="col">First seen</th>
                <th scope="col">Last seen</th>
                <th scope="col">Types</th>
                <th scope="col">Sample</th>
                {can('operate') && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {data.groups.map((g) => (
                <tr key={g.fingerprint}>
                  <td data-label="error">
                    <code>{g.fingerprint}</code>
                  </td>
                  <td class="num" data-label="jobs">
                    {g.count}
                  </td>
                  <td data-label="first seen">{time(g.firstSeen)}</td>
                  <td data-label="last seen">{time(g.lastSeen)}</td>
                  <td data-label="types">{g.types.join(', ')}</td>
                  <td data-label="sample">
                    <a href={href(['jobs', g.sample.id])}>{g.sample.id}</a>: {g.sample.message}
                  </td>
                  {can('operate') && (
                    <td>
                      <button type="button" onClick={() => void act(g, 'retry')}>
                        Requeue group
                      </button>
                      {can('admin') && (
                        <button type="button" onClick={() => void act(g, 'remove')}>
                          Delete group
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data && data.scanned < data.total && (
        <p>
          Grouped the newest {data.scanned} of {data.total} dead jobs.
        </p>
      )}
    </>
  )
}

export function DeadLetters({ queue }: { queue: string | undefined }) {
  const overview = useData(() => api<Overview>('overview'), [])
  const queues = overview.data?.queues ?? []
  const current = queue ?? queues.find((x) => x.dead > 0)?.name ?? queues[0]?.name
  return (
    <section aria-labelledby="title">
      <h1 id="title">Dead letters{current ? ` of ${current}` : ''}</h1>
      <nav aria-label="Queues" class="tabs">
        <ul>
          {queues.map((x) => (
            <li key={x.name}>
              <a
                href={href(['dead', x.name])}
                aria-current={x.name === current ? 'page' : undefined}
              >
                {x.name} ({x.dead})
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <ErrorNote error={overview.error} />
      {current && <Groups key={current} queue={current} />}
    </section>
  )
}
