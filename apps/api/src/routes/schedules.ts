import { SchedulePatch, ScheduleSpec } from '@conveyor/queue-core'
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import type { JobTypeName } from '@conveyor/queue-core'
import type { ConveyorJobTypes } from '@conveyor/service-kit'
import { commonErrors, ErrorResponse } from '../schemas/common.js'
import {
  RunNowResult,
  ScheduleDetail,
  ScheduleList,
  ScheduleParams,
  ScheduleRuns,
} from '../schemas/schedules.js'
import { restoreHidden } from '../payload-redaction.js'
import { toMissedViews, toRunViews, toScheduleDetail, toScheduleView } from '../schedule-view.js'

const notFound = { 404: ErrorResponse }
const conflict = { 409: ErrorResponse }

type JobType = JobTypeName<ConveyorJobTypes>

/**
 * Schedules stored in Redis: create, change, pause, run and inspect them while the
 * schedulers run. Every change reaches the leading scheduler within a round trip.
 */
export const scheduleRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { schedules, conveyor } = app
  const tags = ['schedules']

  const detail = async (name: string) => {
    const [schedule, leader] = await Promise.all([schedules.require(name), schedules.leader()])
    return toScheduleDetail(schedule, { now: Date.now(), leader, redactions: app.redactions })
  }

  /** The body with its payload's hidden fields, left "[redacted]", given their stored values. */
  const withHiddenKept = async <B extends { type?: string; payload?: unknown }>(
    name: string,
    body: B,
  ): Promise<B> => {
    if (body.payload === undefined || app.redactions.size === 0) return body
    const stored = await schedules.get(name)
    const type = body.type ?? stored?.spec.type
    if (!stored || type === undefined || stored.spec.type !== type) return body
    const payload = restoreHidden(app.redactions, type, {
      edited: body.payload,
      stored: stored.spec.payload,
    })
    return { ...body, payload }
  }

  app.get(
    '/schedules',
    {
      schema: {
        tags,
        summary: 'Every schedule, by name, and who leads the schedulers',
        response: { 200: ScheduleList, ...commonErrors },
      },
    },
    async () => {
      const [all, leader] = await Promise.all([schedules.list(), schedules.leader()])
      const now = Date.now()
      return { schedules: all.map((s) => toScheduleView(s, now, app.redactions)), leader }
    },
  )

  app.get(
    '/schedules/:name',
    {
      schema: {
        tags,
        summary: 'A schedule, its next 5 fire times and who leads',
        params: ScheduleParams,
        response: { 200: ScheduleDetail, ...notFound, ...commonErrors },
      },
    },
    async (request) => detail(request.params.name),
  )

  app.put(
    '/schedules/:name',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Creates or replaces a schedule (201 when created)',
        description:
          'The body is a SCHEDULES_FILE entry without its name. Checked whole (cron, ' +
          'timezone, job type, payload against its schema, options): a 400 names each ' +
          'field at fault and stores nothing. A file-managed schedule answers 409.',
        params: ScheduleParams,
        body: ScheduleSpec,
        response: { 200: ScheduleDetail, 201: ScheduleDetail, ...conflict, ...commonErrors },
      },
    },
    async (request, reply) => {
      const { name } = request.params
      const { created } = await schedules.put(name, await withHiddenKept(name, request.body))
      return reply.code(created ? 201 : 200).send(await detail(name))
    },
  )

  app.patch(
    '/schedules/:name',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Changes some fields; null removes one; name renames (same identity)',
        params: ScheduleParams,
        body: SchedulePatch,
        response: { 200: ScheduleDetail, ...notFound, ...conflict, ...commonErrors },
      },
    },
    async (request) => {
      const { name } = request.params
      const schedule = await schedules.patch(name, await withHiddenKept(name, request.body))
      return detail(schedule.name)
    },
  )

  app.delete(
    '/schedules/:name',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Deletes a schedule: no slot after this fires',
        params: ScheduleParams,
        response: { 204: Type.Null(), ...notFound, ...conflict, ...commonErrors },
      },
    },
    async (request, reply) => {
      await schedules.delete(request.params.name)
      return reply.code(204).send(null)
    },
  )

  for (const action of ['pause', 'resume'] as const) {
    app.post(
      `/schedules/:name/${action}`,
      {
        config: { role: 'admin' },
        schema: {
          tags,
          summary:
            action === 'pause'
              ? 'No slot after this fires until resumed (file-managed too)'
              : 'Fires again from the next slot after this (the paused ones are not caught up)',
          params: ScheduleParams,
          response: { 200: ScheduleDetail, ...notFound, ...commonErrors },
        },
      },
      async (request) => {
        await schedules.setPaused(request.params.name, action === 'pause')
        return detail(request.params.name)
      },
    )
  }

  app.post(
    '/schedules/:name/run',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Fires the schedule once now, with a job id of its own (paused or not)',
        params: ScheduleParams,
        response: { 202: RunNowResult, ...notFound, ...commonErrors },
      },
    },
    async (request, reply) => {
      const { result } = await schedules.runNow(request.params.name, (job) =>
        conveyor.enqueue(job.type as JobType, job.payload as never, job.options),
      )
      return reply.code(202).send({
        name: request.params.name,
        jobId: result.id,
        statusUrl: `/jobs/${encodeURIComponent(result.id)}`,
      })
    },
  )

  app.get(
    '/schedules/:name/runs',
    {
      schema: {
        tags,
        summary: "The last 50 fires with each job's state now, and missed or skipped slots",
        params: ScheduleParams,
        response: { 200: ScheduleRuns, ...notFound, ...commonErrors },
      },
    },
    async (request) => {
      const schedule = await schedules.require(request.params.name)
      const { runs, missed } = await schedules.history(schedule.id)
      return {
        name: schedule.name,
        runs: await toRunViews(runs, conveyor),
        missed: toMissedViews(missed),
      }
    },
  )
  done()
}
