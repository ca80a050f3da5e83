import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'

/**
 * OpenAPI generated from the route schemas (the same TypeBox schemas that validate
 * the requests): the document at /docs/json, a browsable UI at /docs. Register it
 * before the routes, so that it sees them all.
 */
export const docsPlugin = fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Conveyor API',
          description: 'Enqueue background jobs, upload files to convert, follow and operate jobs.',
          version: '0.1.0',
        },
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer' },
            apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
          },
        },
        security: [{ bearer: [] }, { apiKey: [] }],
        tags: [
          { name: 'enqueue', description: 'Hand work to the workers' },
          { name: 'uploads', description: 'Files to convert' },
          { name: 'jobs', description: 'Follow a job' },
          { name: 'operator', description: 'Queues, dead letters, retries' },
          { name: 'schedules', description: 'Cron and interval schedules, changed at run time' },
          {
            name: 'flows',
            description: 'Jobs that wait for other jobs (a DAG), results passed down',
          },
          { name: 'batches', description: 'Groups of jobs with a callback once all finished' },
          { name: 'health', description: 'Liveness, readiness' },
        ],
      },
    })
    await app.register(swaggerUi, { routePrefix: '/docs' })
  },
  { name: 'docs' },
)
