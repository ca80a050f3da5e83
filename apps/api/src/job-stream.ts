import type { JobRecord } from '@conveyor/queue-core'
import type { FastifyReply } from 'fastify'
import { openEventStream } from './event-stream.js'
import type { RedactionRules } from './payload-redaction.js'
import { FINAL_STATES, toJobView } from './job-view.js'
import type { AppQueue } from './plugins/conveyor.js'
import type { FollowerMessage, QueueFollower } from './queue-follower.js'

export interface JobStreamOptions {
  reply: FastifyReply
  queue: AppQueue
  follower: QueueFollower
  jobId: string
  redactions: RedactionRules
}

/**
 * Serves one job's server-sent events: `state` with the job's record now and after
 * each change, `progress` as the handler reports it, then the end of the stream once
 * the job is completed, dead, cancelled or removed (or the server shuts down).
 */
export async function streamJob(options: JobStreamOptions): Promise<void> {
  const { reply, queue, follower, jobId, redactions } = options
  const inbox: FollowerMessage[] = []
  let wake: (() => void) | null = null
  // Subscribe before reading the snapshot: a change in between is then heard, not lost.
  const unsubscribe = await follower.subscribe(jobId, (message) => {
    inbox.push(message)
    wake?.()
  })
  let snapshot: JobRecord | null
  try {
    snapshot = await queue.getJob(jobId)
  } catch (err) {
    unsubscribe()
    throw err
  }

  const stream = openEventStream(reply)
  stream.onEnd(() => {
    unsubscribe()
    wake?.()
  })
  const send = (event: string, data: unknown): void => stream.send(event, data)

  let last = ''
  const sendState = (job: JobRecord | null): boolean => {
    if (!job) {
      send('removed', { id: jobId })
      return true
    }
    const key = `${job.state}|${job.attempts}|${job.finishedAt ?? ''}`
    if (key !== last) send('state', toJobView(job, redactions))
    last = key
    return FINAL_STATES.has(job.state)
  }

  try {
    let done = sendState(snapshot)
    while (stream.open && !done) {
      const message = inbox.shift()
      if (!message) {
        await new Promise<void>((resolve) => (wake = resolve))
        wake = null
        continue
      }
      if (message.kind === 'closing') break
      const { event } = message.event
      if (event === 'progress') {
        send('progress', { id: jobId, progress: message.event.progress })
      } else if (event === 'removed') {
        done = sendState(null)
      } else {
        done = sendState(await queue.getJob(jobId))
      }
    }
  } catch (err) {
    reply.request.log.warn({ err, jobId }, 'job event stream failed')
    send('error', { error: 'stream_failed' })
  } finally {
    stream.end()
  }
}
