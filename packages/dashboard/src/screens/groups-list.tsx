import { api, q } from '../api.js'
import { ErrorNote, Loading } from '../components/notice.js'
import { useLive } from '../live.js'
import { href } from '../router.js'
import type { GroupPage } from '../types.js'
import { useData } from '../use-data.js'

const PAGE = 100

/**
 * A page of a queue's groups (the API lists them by name, a cursor at a time), shown
 * busiest first: ranking every group would take a scan of them all, so the order is
 * within the page only, and the page says so.
 */
export function GroupsList(props: { queue: string; cursor: string; group: string }) {
  const { queue, cursor, group } = props
  const page = useData(
    () => api<GroupPage>(`queues/${encodeURIComponent(queue)}/groups${q({ cursor, limit: PAGE })}`),
    [queue, cursor],
  )
  useLive((e) => e.queue === queue, page.reload)
  if (page.error) return <ErrorNote error={page.error} />
  if (!page.data) return <Loading />
  const groups = [...page.data.groups].sort(
    (a, b) => b.queued + b.running - (a.queued + a.running) || a.group.localeCompare(b.group),
  )
  return (
    <>
      <p class="muted">
        Groups with queued or running jobs, {PAGE} to a page in order of name; within this page the
        busiest (queued + running) come first.
      </p>
      {groups.length === 0 ? (
        <p>No group has queued or running jobs{cursor === '' ? '' : ' on this page'}.</p>
      ) : (
        <div class="scroll">
          <table class="stack" data-testid="groups">
            <caption class="sr-only">Groups of {queue}, busiest first</caption>
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col" class="num">
                  Queued
                </th>
                <th scope="col" class="num">
                  Running
                </th>
                <th scope="col">Limits</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => (
                <tr key={g.group}>
                  <th scope="row" data-label="group">
                    <a
                      href={href(['queues', queue], { state: 'queued', group: g.group })}
                      title={`Queued jobs of group ${g.group}`}
                    >
                      {g.group}
                    </a>
                  </th>
                  <td class="num" data-label="queued">
                    {g.queued}
                  </td>
                  <td class="num" data-label="running">
                    {g.running}
                  </td>
                  <td data-label="limits">
                    <a href={href(['queues', queue, 'limits'], { group: g.group, cursor })}>
                      <span class="sr-only">{g.group}: </span>limits
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="pager">
        {cursor !== '' && <a href={href(['queues', queue, 'limits'], { group })}>First page</a>}
        {page.data.cursor !== null && (
          <a href={href(['queues', queue, 'limits'], { group, cursor: page.data.cursor })}>
            Next page
          </a>
        )}
      </div>
    </>
  )
}
