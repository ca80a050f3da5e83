import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { api, can } from '../api.js'
import {
  fieldErrors,
  groupLimitsOf,
  groupPaths,
  LimitField,
  NO_ERRORS,
  rateFields,
  RateFieldset,
  rateOf,
  toFields,
  type FieldErrors,
  type FieldValues,
} from '../components/limit-fields.js'
import { ErrorNote, Loading } from '../components/notice.js'
import { go, href } from '../router.js'
import type { GroupLimits, QueueLimits, RateLimit } from '../types.js'
import { useData } from '../use-data.js'
import { GroupsList } from './groups-list.js'

const QUEUE_PATHS = ['/rate', '/rate/max', '/rate/perMs', '/groups', ...groupPaths('/groups')]
const GROUP_PATHS = ['/', ...groupPaths('')]

const rateText = (rate: RateLimit | undefined) =>
  rate === undefined ? 'none' : `at most ${rate.max} starts per ${rate.perMs} ms`

function Shown({ limits, withQueueRate }: { limits: QueueLimits; withQueueRate: boolean }) {
  return (
    <dl class="facts" data-testid="limits-shown">
      {withQueueRate && (
        <>
          <dt>Queue rate</dt>
          <dd>{rateText(limits.rate)}</dd>
        </>
      )}
      <dt>Group concurrency</dt>
      <dd>{limits.groups?.concurrency ?? 'none'}</dd>
      <dt>Group rate</dt>
      <dd>{rateText(limits.groups?.rate)}</dd>
    </dl>
  )
}

interface EditorProps {
  form: string
  title: string
  initial: FieldValues
  paths: string[]
  body: (values: FieldValues) => unknown
  save: (body: unknown) => Promise<unknown>
  remove: () => Promise<unknown>
  removeLabel: string
  children: (
    values: FieldValues,
    errors: FieldErrors,
    set: (p: string, v: string) => void,
  ) => ComponentChildren
  done: () => void
}

/** A limits form: PUT on save (field errors shown at their fields), DELETE to remove. */
function Editor(props: EditorProps) {
  const [values, setValues] = useState(props.initial)
  const [errors, setErrors] = useState<FieldErrors>(NO_ERRORS)
  const [note, setNote] = useState('')
  const set = (path: string, value: string) => setValues((v) => ({ ...v, [path]: value }))
  const run = async (what: () => Promise<unknown>, saved: string) => {
    setErrors(NO_ERRORS)
    setNote('')
    try {
      await what()
      setNote(saved)
      props.done()
    } catch (err) {
      setErrors(fieldErrors(err, props.paths))
    }
  }
  return (
    <form
      noValidate
      aria-label={props.title}
      class="limits-form"
      onSubmit={(e) => {
        e.preventDefault()
        void run(() => props.save(props.body(values)), 'Saved.')
      }}
    >
      {props.children(values, errors, set)}
      {errors.rest.length > 0 && (
        <div class="error" role="alert">
          <strong>Not saved:</strong> {errors.rest.join('; ')}
        </div>
      )}
      {Object.keys(errors.byPath).length > 0 && (
        <p class="error" role="alert">
          Not saved: see the fields marked.
        </p>
      )}
      <p role="status">{note}</p>
      <div class="actions">
        <button type="submit">Save</button>
        <button
          type="button"
          onClick={() => {
            if (confirm(`${props.removeLabel}?`)) void run(props.remove, 'Removed.')
          }}
        >
          {props.removeLabel}
        </button>
      </div>
    </form>
  )
}

function QueueLimitsPart({ queue }: { queue: string }) {
  const path = `queues/${encodeURIComponent(queue)}/limits`
  const { data, error, reload } = useData(() => api<QueueLimits>(path), [queue])
  if (error) return <ErrorNote error={error} />
  if (!data) return <Loading />
  return (
    <>
      <Shown limits={data} withQueueRate />
      {can('admin') && (
        <details>
          <summary>Edit the queue's limits</summary>
          <Editor
            key={JSON.stringify(data)}
            form="queue-limits"
            title={`Limits of ${queue}`}
            initial={{ ...rateFields('/rate', data.rate), ...toFields('/groups', data.groups) }}
            paths={QUEUE_PATHS}
            body={(v) => {
              const rate = rateOf(v, '/rate')
              const groups = groupLimitsOf(v, '/groups')
              return {
                ...(rate === undefined ? {} : { rate }),
                ...(Object.keys(groups).length === 0 ? {} : { groups }),
              }
            }}
            save={(body) => api(path, { method: 'PUT', body })}
            remove={() => api(path, { method: 'DELETE' })}
            removeLabel="Remove every limit of the queue"
            done={reload}
          >
            {(values, errors, set) => {
              const common = { form: 'queue-limits', values, errors, set }
              return (
                <>
                  <RateFieldset {...common} base="/rate" legend="Queue rate (every job)" />
                  <fieldset>
                    <legend>Each group, unless it has its own</legend>
                    <LimitField {...common} path="/groups/concurrency" label="Running at once" />
                    <RateFieldset {...common} base="/groups/rate" legend="Group rate" />
                    {errors.byPath['/groups'] !== undefined && (
                      <span class="field-error">{errors.byPath['/groups']}</span>
                    )}
                  </fieldset>
                </>
              )
            }}
          </Editor>
        </details>
      )}
    </>
  )
}

function GroupPart({ queue, group }: { queue: string; group: string }) {
  const path = `queues/${encodeURIComponent(queue)}/groups/${encodeURIComponent(group)}/limits`
  const { data, error, reload } = useData(() => api<GroupLimits>(path), [queue, group])
  if (error) return <ErrorNote error={error} />
  if (!data) return <Loading />
  const none = data.concurrency === undefined && data.rate === undefined
  return (
    <>
      {none ? (
        <p data-testid="group-override">No override: the queue's group limits apply.</p>
      ) : (
        <div data-testid="group-override">
          <Shown limits={{ groups: data }} withQueueRate={false} />
        </div>
      )}
      <p>
        <a href={href(['queues', queue], { state: 'queued', group })}>
          Queued jobs of group {group}
        </a>
      </p>
      {can('admin') && (
        <Editor
          key={`${group}/${JSON.stringify(data)}`}
          form="group-limits"
          title={`Override of group ${group}`}
          initial={toFields('', data)}
          paths={GROUP_PATHS}
          body={(v) => groupLimitsOf(v, '')}
          save={(body) => api(path, { method: 'PUT', body })}
          remove={() => api(path, { method: 'DELETE' })}
          removeLabel="Remove the override"
          done={reload}
        >
          {(values, errors, set) => {
            const common = { form: 'group-limits', values, errors, set }
            return (
              <>
                <LimitField {...common} path="/concurrency" label="Running at once" />
                <RateFieldset {...common} base="/rate" legend="Rate" />
              </>
            )
          }}
        </Editor>
      )}
    </>
  )
}

function GroupPicker({ queue, group }: { queue: string; group: string }) {
  const [name, setName] = useState(group)
  return (
    <form
      role="search"
      aria-label="Choose a group"
      class="filters"
      onSubmit={(e) => {
        e.preventDefault()
        go(['queues', queue, 'limits'], { group: name.trim() })
      }}
    >
      <label>
        Group <input value={name} onInput={(e) => setName(e.currentTarget.value)} name="group" />
      </label>
      <button type="submit">Show its limits</button>
    </form>
  )
}

export interface LimitsProps {
  queue: string
  group: string
  cursor: string
}

export function LimitsScreen({ queue, group, cursor }: LimitsProps) {
  return (
    <section aria-labelledby="title">
      <h1 id="title">Limits and groups of {queue}</h1>
      <p>
        <a href={href(['queues', queue])}>Back to the queue</a> · workers apply a change at their
        next fetch, within a second.
      </p>
      <h2>The queue's limits</h2>
      <QueueLimitsPart queue={queue} />
      <h2>One group's override</h2>
      <GroupPicker key={group} queue={queue} group={group} />
      {group !== '' && <GroupPart queue={queue} group={group} />}
      <h2>Busiest groups</h2>
      <GroupsList queue={queue} cursor={cursor} group={group} />
    </section>
  )
}
