import { useState } from 'preact/hooks'
import { go } from '../router.js'

function Lookup({ kind, label }: { kind: 'flows' | 'batches'; label: string }) {
  const [id, setId] = useState('')
  return (
    <form
      role="search"
      aria-label={`Find a ${label} by id`}
      onSubmit={(e) => {
        e.preventDefault()
        if (id.trim() !== '') go([kind, id.trim()])
      }}
    >
      <label>
        {label[0]?.toUpperCase()}
        {label.slice(1)} id{' '}
        <input value={id} onInput={(e) => setId(e.currentTarget.value)} name={`${label}-id`} />
      </label>
      <button type="submit">Open {label}</button>
    </form>
  )
}

/** Flows and batches are reached from their jobs' pages, or here by id. */
export function WorkflowLookup() {
  return (
    <section aria-labelledby="title">
      <h1 id="title">Flows and batches</h1>
      <p>
        A job of a flow or a batch links to it from its page; or open one by the id{' '}
        <code>POST /flows</code> or <code>POST /batches</code> gave.
      </p>
      <div class="filters">
        <Lookup kind="flows" label="flow" />
        <Lookup kind="batches" label="batch" />
      </div>
    </section>
  )
}
