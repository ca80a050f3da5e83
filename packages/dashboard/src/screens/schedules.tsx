import { useState } from 'preact/hooks'
import { api, can } from '../api.js'
import { ErrorNote, Loading } from '../components/notice.js'
import { StateBadge } from '../components/state-badge.js'
import { time } from '../format.js'
import { href } from '../router.js'
import type { ScheduleList, ScheduleRuns, ScheduleView } from '../types.js'
import { useData } from '../use-data.js'

function Runs({ name }: { name: string }) {
  const { data, error } = useData(
    () => api<ScheduleRuns>(`schedules/${encodeURIComponent(name)}/runs`),
    [name],
  )
  if (error) return <ErrorNote error={error} />
  if (!data) return <Loading />
  if (data.runs.length === 0) return <p>No fires yet.</p>
  return (
    <ul>
      {data.runs.slice(0, 10).map((r, i) => (
        <li key={i}>
          {time(r.firedAt)} · {r.kind} {r.jobId && <a href={href(['jobs', r.jobId])}>{r.jobId}</a>}{' '}
          {r.jobState ?? ''}
          {r.error && ` · ${r.error}`}
        </li>
      ))}
    </ul>
  )
}

function Editor({ schedule, saved }: { schedule: ScheduleView; saved: () => void }) {
  const [text, setText] = useState(() => JSON.stringify(schedule.spec, null, 2))
  const [error, setError] = useState<Error | undefined>()
  const save = async () => {
    try {
      await api(`schedules/${encodeURIComponent(schedule.name)}`, {
        method: 'PUT',
        body: JSON.parse(text) as unknown,
      })
      saved()
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)))
    }
  }
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault()
        void save()
      }}
    >
      <label>
        Schedule (JSON)
        <textarea rows={8} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <ErrorNote error={error} />
      <button type="submit">Save {schedule.name}</button>
    </form>
  )
}

export function Schedules() {
  const { data, error, reload } = useData(() => api<ScheduleList>('schedules'), [])
  const [note, setNote] = useState('')
  const act = async (name: string, action: 'pause' | 'resume' | 'run') => {
    await api(`schedules/${encodeURIComponent(name)}/${action}`, { method: 'POST' })
    setNote(`${name}: ${action} done`)
    reload()
  }
  return (
    <section aria-labelledby="title">
      <h1 id="title">Schedules</h1>
      <ErrorNote error={error} />
      <p role="status">{note}</p>
      {!data ? (
        <Loading />
      ) : data.schedules.length === 0 ? (
        <p>No schedules.</p>
      ) : (
        data.schedules.map((s) => (
          <article key={s.name} class="card" aria-labelledby={`s-${s.name}`}>
            <h2 id={`s-${s.name}`}>
              {s.name} <StateBadge state={s.state} />
            </h2>
            <p>
              Next fire: {s.nextFire ? time(s.nextFire.utc) : 'none'} · fired {s.fires} times ·
              source: {s.source}
            </p>
            {can('admin') && (
              <div class="actions" role="group" aria-label={`Actions on ${s.name}`}>
                {s.state === 'paused' ? (
                  <button type="button" onClick={() => void act(s.name, 'resume')}>
                    Resume
                  </button>
                ) : (
                  <button type="button" onClick={() => void act(s.name, 'pause')}>
                    Pause
                  </button>
                )}
                <button type="button" onClick={() => void act(s.name, 'run')}>
                  Run now
                </button>
              </div>
            )}
            <details>
              <summary>History</summary>
              <Runs name={s.name} />
            </details>
            {can('admin') && s.source === 'api' && (
              <details>
                <summary>Edit</summary>
                <Editor schedule={s} saved={reload} />
              </details>
            )}
          </article>
        ))
      )}
    </section>
  )
}
