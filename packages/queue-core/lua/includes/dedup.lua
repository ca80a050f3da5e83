-- Dedup keys (README "Dedup"): the `dedup` hash maps a key to "id|mode|until"
-- (until: ms on the Redis clock, 0 = none), `dedupexp` holds the keys that
-- expire, by when, so that enqueues with dedup keys trim the expired ones.
-- Every key has an until, and both keys expire as a whole once the latest one
-- passes, so a queue that stops enqueueing keeps no dedup keys either.
--   unique:   a repeat returns the id while that job is queued, scheduled,
--             retrying or running (its record says so; no record: it waits
--             for its first run while its spec exists). `dedupof` maps the
--             job to its key, given back when the job completes, is
--             dead-lettered, cancelled or removed (dedup_release); its until
--             is a safety bound (the caller's ttl after the job is due);
--   throttle: a repeat within ttlMs of the first returns the first id;
--   debounce: the job runs ttlMs after the last repeat, with the last payload;
--             a repeat while it is scheduled replaces its spec and due time.
-- D is { dedup, dedupexp, dedupof, specs, state } (key names; dedup_release
-- needs only the first three).

-- Both keys live as long as their latest key holds (every key has an until,
-- in dedupexp), and no longer: once the last one lapses or is given back,
-- nothing is left to trim them.
local function dedup_expire(D, now)
  local last = redis.call('ZRANGE', D.dedupexp, -1, -1, 'WITHSCORES')[2]
  if not last then return end
  local ms = math.max(tonumber(last) - now, 1)
  redis.call('PEXPIRE', D.dedup, ms)
  redis.call('PEXPIRE', D.dedupexp, ms)
end

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
  dedup_expire(D, now)
end

-- The job a dedup key holds now, with its record (nil for a fresh job), or nil.
local function dedup_holder(D, key, now)
  local v = redis.call('HGET', D.dedup, key)
  if not v then return nil end
  local id, mode, untilMs = string.match(v, '^(.*)|(%a+)|(%d+)$')
  if not id then return nil end
  local r = rec_decode(redis.call('HGET', D.state, id))
  untilMs = tonumber(untilMs)
  if mode == 'unique' and untilMs > 0 and untilMs <= now then return nil end
  if mode == 'throttle' then
    if untilMs > now then return id, mode, r end
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

local function dedup_take(D, key, id, mode, untilMs, now)
  redis.call('HSET', D.dedup, key, id .. '|' .. mode .. '|' .. string.format('%d', untilMs))
  redis.call('ZADD', D.dedupexp, untilMs, key)
  if mode == 'unique' then redis.call('HSET', D.dedupof, id, key) end
  dedup_expire(D, now)
end

-- Gives back the unique keys these jobs held (they completed, were
-- dead-lettered, cancelled or removed), if each is still theirs. Costs one
-- HLEN per call in a queue without live unique keys.
local function dedup_release(D, ids, now)
  if #ids == 0 or redis.call('HLEN', D.dedupof) == 0 then return end
  local keys = hmget_many(D.dedupof, ids)
  for i = 1, #ids do
    local key = keys[i]
    if key then
      redis.call('HDEL', D.dedupof, ids[i])
      local v = redis.call('HGET', D.dedup, key)
      if v and string.sub(v, 1, #ids[i] + 1) == ids[i] .. '|' then
        redis.call('HDEL', D.dedup, key)
        redis.call('ZREM', D.dedupexp, key)
      end
    end
  end
  dedup_expire(D, now)
end
