import {
  ConveyorError,
  isConveyorError,
  type Flows,
  type ConvertPayload,
} from '@conveyor/queue-core'

/**
 * An upload's conversion followed by an e-mail with the download link to `to`, as a
 * flow: the e-mail job waits for the conversion, and is cancelled if it ends dead.
 * A bad address is a 400 naming `/notify`, and nothing is created.
 */
export async function convertThenNotify(
  flows: Pick<Flows, 'create'>,
  payload: ConvertPayload,
  to: string,
): Promise<{ flowId: string; convert: string; notify: string }> {
  const link = `/uploads/${payload.uploadId}/result`
  try {
    const { flowId, jobs } = await flows.create({
      name: `upload ${payload.uploadId}`,
      jobs: [
        { id: 'convert', type: 'convert', payload },
        {
          id: 'notify',
          type: 'email',
          dependsOn: ['convert'],
          payload: {
            to,
            subject: `${payload.filename} is converted to ${payload.targetFormat}`,
            body: `Your file ${payload.filename} is ready. Download it: ${link}`,
          },
        },
      ],
    })
    return { flowId, convert: jobs.convert ?? '', notify: jobs.notify ?? '' }
  } catch (err) {
    if (isConveyorError(err, 'validation_failed') && err.details[0]?.path.startsWith('/jobs/1/')) {
      const message = 'must be an e-mail address'
      throw new ConveyorError('validation_failed', `invalid input: /notify ${message}`, {
        details: [{ path: '/notify', message }],
      })
    }
    throw err
  }
}
