import { api } from '../api.js'
import { ErrorNote, Loading } from '../components/notice.js'
import { time } from '../format.js'
import type { AuditLog } from '../types.js'
import { useData } from '../use-data.js'

export function Audit() {
  const { data, error } = useData(() => api<AuditLog>('audit?limit=200'), [])
  return (
    <section aria-labelledby="title">
      <h1 id="title">Audit log</h1>
      <ErrorNote error={error} />
      {!data ? (
        <Loading />
      ) : (
        <div class="scroll">
          <table class="stack">
            <caption class="sr-only">Mutations, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Key</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col" class="num">
                  Jobs
                </th>
              </tr>
            </thead>
            <tbody>
              {data.entries.map((e, i) => (
                <tr key={i}>
                  <td data-label="time">{time(e.at)}</td>
                  <td data-label="key">{e.key}</td>
                  <td data-label="action">
                    <code>{e.action}</code>
                  </td>
                  <td data-label="target">{e.target}</td>
                  <td class="num" data-label="jobs">
                    {e.count ?? ''}
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
