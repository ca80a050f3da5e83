-- Retention of finished jobs kept in index (a sorted set scored by finish
-- time): drops those older than ageMs and those beyond maxCount (0 = no cap),
-- at most `limit` per call so that one call stays short; called on every ack
-- batch and every heartbeat, so it keeps up.
local function trim_finished(k, index, now, ageMs, maxCount, limit)
  local removed = 0
  if ageMs > 0 then
    local old = redis.call('ZRANGEBYSCORE', index, '-inf', now - ageMs, 'LIMIT', 0, limit)
    for i = 1, #old do remove_job(k, old[i]) end
    if #old > 0 then redis.call('ZREM', index, unpack(old)) end
    removed = #old
  end
  if maxCount > 0 then
    local excess = redis.call('ZCARD', index) - maxCount
    if excess > limit then excess = limit end
    if excess > 0 then
      local extra = redis.call('ZRANGE', index, 0, excess - 1)
      for i = 1, #extra do remove_job(k, extra[i]) end
      redis.call('ZREMRANGEBYRANK', index, 0, excess - 1)
      removed = removed + #extra
    end
  end
  return removed
end
