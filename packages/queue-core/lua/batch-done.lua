--[[ batch-done: record that a job of a batch finished, once per job, and say
which callbacks became due (includes/batch.lua).
KEYS[1]  meta      hash   the batch's state and counts
KEYS[2]  outcomes  hash   job id -> completed | dead | cancelled
ARGV[1]  job id
ARGV[2]  outcome: completed, dead or cancelled
Returns: the callback kinds to enqueue (onSuccess, onComplete).
]]
local metaKey, outcomesKey = KEYS[1], KEYS[2]
--- @include "now"
--- @include "batch"

if redis.call('EXISTS', metaKey) == 0 then return {} end
if redis.call('HSETNX', outcomesKey, ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBY', metaKey, ARGV[2], 1)
end
return batch_due(metaKey)
