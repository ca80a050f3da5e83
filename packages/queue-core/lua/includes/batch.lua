-- Whether a batch's callbacks are due, for batch-done.lua and batch-close.lua. A
-- closed batch whose every job finished fires onComplete, and onSuccess when none
-- ended dead or cancelled. Each callback is marked `fired:<kind>` = pending here,
-- once (HSETNX), in the same script that found it due: the caller enqueues it
-- under a job id made from the batch's, which the enqueue script never takes
-- twice, then marks it `enqueued`; a sweeper enqueues again what stayed pending.
-- Returns the kinds still pending.
local function batch_due(metaKey)
  local m = redis.call('HMGET', metaKey, 'state', 'total', 'completed', 'dead', 'cancelled',
    'onSuccess', 'onComplete')
  local state, total = m[1], tonumber(m[2]) or 0
  local completed, dead, cancelled = tonumber(m[3]) or 0, tonumber(m[4]) or 0, tonumber(m[5]) or 0
  if state ~= 'closed' and state ~= 'done' then return {} end
  if completed + dead + cancelled < total then return {} end
  local kinds = {}
  if m[6] and dead + cancelled == 0 then kinds[#kinds + 1] = 'onSuccess' end
  if m[7] then kinds[#kinds + 1] = 'onComplete' end
  local out = {}
  for _, kind in ipairs(kinds) do
    redis.call('HSETNX', metaKey, 'fired:' .. kind, 'pending')
    if redis.call('HGET', metaKey, 'fired:' .. kind) == 'pending' then out[#out + 1] = kind end
  end
  if state ~= 'done' then redis.call('HSET', metaKey, 'state', 'done', 'finishedAt', server_now()) end
  return out
end
