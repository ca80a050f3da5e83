-- Retention of finished jobs kept in index (a sorted set scored by finish
-- time): drops those older than ageMs and those beyond maxCount (0 = no cap),
-- at most `limit` per call so that one call stays short; called on every ack
-- batch and every heartbeat, so it keeps up.
local function trim_finished(k, index, now, ageMs, maxCount, limit)
  local removed = 0
  if ageMs > 0 then
    local old = redis.call('ZRANGEBYSCORE', index, '-inf', now - ageMs, 'LIMIT', 0, limit)
    remove_jobs(k, old)
    call_sliced('ZREM', index, old, 1000)
    removed = #old
  end
  if maxCount > 0 then
    local excess = redis.call('ZCARD', index) - maxCount
    if excess > limit then excess = limit end
    if excess > 0 then
      local extra = redis.call('ZRANGE', index, 0, excess - 1)
      remove_jobs(k, extra)
      redis.call('ZREMRANGEBYRANK', index, 0, excess - 1)
      removed = removed + #extra
    end
  end
  return removed
end
