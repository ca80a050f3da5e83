import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { api, onUnauthorised, setSession } from './api.js'
import { applyTheme, Layout } from './components/layout.js'
import { lazy } from './components/lazy.js'
import { Loading } from './components/notice.js'
import { useRoute } from './router.js'
import { Audit } from './screens/audit.js'
import { DeadLetters } from './screens/dead-letters.js'
import { JobScreen } from './screens/job.js'
import { Login } from './screens/login.js'
import { Overview } from './screens/overview.js'
import { QueueScreen } from './screens/queue.js'
import { Schedules } from './screens/schedules.js'
import { Workers } from './screens/workers.js'
import { JOB_STATES, type JobState, type Session } from './types.js'

// Screens an operator opens now and then: fetched when first shown, not on page load.
const FlowScreen = lazy(() => import('./screens/flow.js').then((m) => m.FlowScreen))
const BatchScreen = lazy(() => import('./screens/batch.js').then((m) => m.BatchScreen))
const WorkflowLookup = lazy(() =>
  import('./screens/workflow-lookup.js').then((m) => m.WorkflowLookup),
)
const LimitsScreen = lazy(() => import('./screens/limits.js').then((m) => m.LimitsScreen))

function Screen() {
  const { parts, params } = useRoute()
  const [first = '', second, third] = parts
  const state = params.get('state') ?? 'queued'
  switch (first) {
    case 'queues':
      if (third === 'limits') {
        return (
          <Layout section="#/">
            <LimitsScreen
              queue={second ?? 'default'}
              group={params.get('group') ?? ''}
              cursor={params.get('cursor') ?? ''}
            />
          </Layout>
        )
      }
      return (
        <Layout section="#/">
          <QueueScreen
            queue={second ?? 'default'}
            state={(JOB_STATES as string[]).includes(state) ? (state as JobState) : 'queued'}
            type={params.get('type') ?? ''}
            group={params.get('group') ?? ''}
            text={params.get('text') ?? ''}
            cursor={params.get('cursor') ?? ''}
            seen={Number(params.get('seen') ?? 0) || 0}
          />
        </Layout>
      )
    case 'jobs':
      return (
        <Layout section="#/">
          <JobScreen id={second ?? ''} />
        </Layout>
      )
    case 'flows':
      return (
        <Layout section="#/flows">
          {second === undefined ? <WorkflowLookup /> : <FlowScreen id={second} />}
        </Layout>
      )
    case 'batches':
      return (
        <Layout section="#/flows">
          {second === undefined ? <WorkflowLookup /> : <BatchScreen id={second} />}
        </Layout>
      )
    case 'dead':
      return (
        <Layout section="#/dead">
          <DeadLetters queue={second} />
        </Layout>
      )
    case 'workers':
      return (
        <Layout section="#/workers">
          <Workers />
        </Layout>
      )
    case 'schedules':
      return (
        <Layout section="#/schedules">
          <Schedules />
        </Layout>
      )
    case 'audit':
      return (
        <Layout section="#/audit">
          <Audit />
        </Layout>
      )
    default:
      return (
        <Layout section="#/">
          <Overview />
        </Layout>
      )
  }
}

function App() {
  const [session, setLocal] = useState<Session | undefined>()
  useEffect(() => {
    const open = (s: Session) => {
      setSession(s)
      setLocal(s)
    }
    api<Session>('session').then(open, () => open({ authRequired: true }))
    return onUnauthorised(() => open({ authRequired: true }))
  }, [])
  if (!session) return <Loading />
  if (session.authRequired && session.role === undefined) {
    return <Login done={(s) => setLocal(s)} />
  }
  return <Screen />
}

applyTheme()
const root = document.getElementById('app')
if (root) render(<App />, root)
