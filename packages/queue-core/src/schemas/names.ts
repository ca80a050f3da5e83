import Type from 'typebox'

/**
 * The shapes of names, written once: in keys (prefix, queue), in job ids and in the
 * registry. Queue names and prefixes carry no '{' or '}' (the hash tag) and queue names
 * no ':' (the first ':' of a job id ends its queue).
 */
export const QUEUE_NAME_PATTERN = '^[A-Za-z0-9_.-]{1,64}$'
export const KEY_PREFIX_PATTERN = '^[A-Za-z0-9_.:-]{1,64}$'
export const JOB_TYPE_PATTERN = '^[A-Za-z0-9_.-]{1,64}$'
export const LOCAL_ID_PATTERN = '^[A-Za-z0-9_.:-]{1,128}$'
/** `<queue>:<local id>`, or an id issued before ids named their queue. */
export const JOB_ID_PATTERN = '^[A-Za-z0-9_.:-]{1,193}$'

export const QueueName = Type.String({ pattern: QUEUE_NAME_PATTERN, description: 'a queue' })
export const KeyPrefix = Type.String({
  pattern: KEY_PREFIX_PATTERN,
  description: 'the first part of every Redis key',
})
