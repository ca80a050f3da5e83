import { afterEach, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './support/test-app.js'

let t: TestApp
afterEach(async () => {
  await t.close()
})

interface Graph {
  flow: { id: string; state: string; jobs: { node: string; state: string; dependsOn: string[] }[] }
  types?: Record<string, string>
}

const sms = (message: string) => ({ phone: '+84912345678', message })
const email = (subject: string) => ({ to: 'a@example.com', subject, body: 'hi' })

describe('GET /flows/:id/graph', () => {
  it("gives the flow with each job's type, for drawing it; 404 for no flow", async () => {
    t = await startTestApp()
    const created = await t.app.inject({
      method: 'POST',
      url: '/flows',
      payload: {
        jobs: [
          { id: 'A', type: 'sms', payload: sms('a') },
          { id: 'B', type: 'email', payload: email('b'), dependsOn: ['A'] },
          { id: 'C', type: 'sms', payload: sms('c'), dependsOn: ['A'] },
          { id: 'D', type: 'email', payload: email('d'), dependsOn: ['B', 'C'] },
        ],
      },
    })
    expect(created.statusCode).toBe(202)
    const { flowId } = created.json<{ flowId: string }>()
    const res = await t.app.inject({ method: 'GET', url: `/flows/${flowId}/graph` })
    expect(res.statusCode).toBe(200)
    const graph = res.json<Graph>()
    expect(graph.flow.id).toBe(flowId)
    expect(graph.types).toEqual({ A: 'sms', B: 'email', C: 'sms', D: 'email' })
    const states = Object.fromEntries(graph.flow.jobs.map((j) => [j.node, j.state]))
    expect(states).toEqual({ A: 'queued', B: 'waiting', C: 'waiting', D: 'waiting' })
    expect(graph.flow.jobs.find((j) => j.node === 'D')?.dependsOn.sort()).toEqual(['B', 'C'])
    const missing = await t.app.inject({ method: 'GET', url: '/flows/nosuchflow/graph' })
    expect(missing.statusCode).toBe(404)
  })

  it('gives no types for a flow too big to draw (more than 500 jobs), but the flow whole', async () => {
    t = await startTestApp()
    const jobs = Array.from({ length: 501 }, (_, i) => ({
      id: `j${i}`,
      type: 'sms',
      payload: sms(`m${i}`),
    }))
    const created = await t.app.inject({ method: 'POST', url: '/flows', payload: { jobs } })
    expect(created.statusCode).toBe(202)
    const { flowId } = created.json<{ flowId: string }>()
    const res = await t.app.inject({ method: 'GET', url: `/flows/${flowId}/graph` })
    expect(res.statusCode).toBe(200)
    const graph = res.json<Graph>()
    expect(graph.types).toBeUndefined()
    expect(graph.flow.jobs).toHaveLength(501)
  })
})
