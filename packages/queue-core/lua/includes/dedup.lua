-- Dedup keys (README "Dedup"): the `dedup` hash maps a key to "id|mode|until"
-- (until: ms on the Redis clock, 0 = none), `dedupexp` holds the keys that
-- expire, by when, so that enqueues with dedup keys trim the expired ones.
--   unique:   a repeat returns the id while that job is queued, scheduled,
--             retrying or running (its record says so; no record: it waits
--             for its first run while its spec exists);
--   throttle: a repeat within ttlMs of the first returns the first id;
--   debounce: the job runs ttlMs after the last repeat, with the last payload;
--             a repeat while it is scheduled replaces its spec and due time.
-- D is { dedup, dedupexp, specs, state } (key names).

local function dedup_trim(D, now)
  local gone = redis.call('ZRANGEBYSCORE', D.dedupexp, '-inf', now, 'LIMIT', 0, 100)
  if #gone == 0 then return end
  -- A key taken again since has a later time and stays.
  for i = 1, #gone do
    local v = redis.call('HGET', D.dedup, gone[i])
    local untilMs = v and tonumber(string.match(v, '|(%d+)$'))
    if untilMs and untilMs <= now then redis.call('HDEL', D.dedup, gone[i]) end
  end
  call_sliced('ZREM', D.dedupexp, gone, 1000)
end

-- The job a dedup key holds now, with its record (nil for a fresh job), or nil.
local function dedup_holder(D, key, now)
  local v = redis.call('HGET', D.dedup, key)
  if not v then return nil end
  local id, mode, untilMs = string.match(v, '^(.*)|(%a+)|(%d+)$')
  if not id then return nil end
  local r = rec_decode(redis.call('HGET', D.state, id))
  if mode == 'throttle' then
    if tonumber(untilMs) > now then return id, mode, r end
    return nil
  end
  if r then
    local live = r.state == 'queued' or r.state == 'scheduled' or r.state == 'retrying'
      or r.state == 'active'
    if mode == 'debounce' then live = r.state == 'scheduled' end
    if live then return id, mode, r end
    return nil
  end
  if mode == 'unique' and redis.call('HEXISTS', D.specs, id) == 1 then return id, mode, nil end
  return nil
end

local function dedup_take(D, key, id, mode, untilMs)
  redis.call('HSET', D.dedup, key, id .. '|' .. mode .. '|' .. string.format('%d', untilMs))
  if untilMs > 0 then redis.call('ZADD', D.dedupexp, untilMs, key) end
end
