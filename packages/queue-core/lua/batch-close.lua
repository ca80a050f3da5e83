--[[ batch-close: no more jobs may be added; the callbacks fire once every job
finished (at once, if they all have).
KEYS[1]  meta      hash   the batch's state and counts
Returns: -1 when there is no such batch, else the callback kinds to enqueue.
]]
local metaKey = KEYS[1]
--- @include "now"
--- @include "batch"

local state = redis.call('HGET', metaKey, 'state')
if not state then return -1 end
if state == 'open' then redis.call('HSET', metaKey, 'state', 'closed') end
return batch_due(metaKey)
