-- Reserve's part for limits and groups (includes/groups.lua, limits.lua).

-- How many jobs the queue rate lets this call lease (of `count`), with the
-- time it frees when that is none: (budget, freeAt or nil).
local function reserve_queue_rate_budget(qrateKey, rate, count, now)
  redis.call('ZREMRANGEBYSCORE', qrateKey, '-inf', now - rate.per)
  local used = redis.call('ZCARD', qrateKey)
  if used < rate.max then return math.min(count, rate.max - used), nil end
  local first = redis.call('ZRANGE', qrateKey, 0, 0, 'WITHSCORES')
  return 0, tonumber(first[2]) + rate.per
end

-- Logs each lease (id:attempt, unique) at the lease time.
local function reserve_queue_rate_log(qrateKey, rate, now, ids, recs)
  local args = {}
  for i = 1, #ids do
    args[#args + 1] = now
    args[#args + 1] = ids[i] .. ':' .. recs[i].attempts
  end
  call_sliced('ZADD', qrateKey, args, 2000)
  -- Every entry is older than the window once it passes: the log goes with it.
  redis.call('PEXPIRE', qrateKey, rate.per)
end

-- Groups whose wait is over take their turn again.
local function reserve_promote_groups(G, now, limit)
  local due = redis.call('ZRANGEBYSCORE', G.gwait, '-inf', now, 'LIMIT', 0, limit)
  for i = 1, #due do
    group_unhold(G, due[i], redis.call('HGET', G.groups, 's:' .. due[i]))
  end
  call_sliced('ZREM', G.gwait, due, 1000)
end

-- Whether a job popped from gjobs may run: not cancelled or removed meanwhile.
-- A first run (no record yet) is alive when its spec is; the spec's length read
-- for that goes to o.lengths, which reserve would otherwise read again.
local function reserve_grouped_alive(o, id)
  local raw = redis.call('HGET', o.state, id)
  if raw then
    local r = rec_decode(raw)
    return r ~= nil and r.state == 'queued'
  end
  local length = redis.call('HSTRLEN', o.specs, id)
  o.lengths[id] = length
  return length > 0
end

-- Takes one job from each ready group in turn until o.popped holds o.upTo ids.
-- A group at its concurrency waits (in gwait, forever) until a slot frees; one
-- at its rate waits until the rate allows a job. Each turn leases a job or
-- takes a group out of the turns, so a call costs O(jobs + groups it held
-- back), never a walk over all groups. Returns whether it stopped with groups
-- still taking turns (o.limited gets the times limits free).
local function reserve_pop_groups_held(o, holds)
  local G, L, now = o.G, o.L, o.now
  local turns = 0
  local maxTurns = (o.upTo - #o.popped) + 100
  while #o.popped < o.upTo do
    if turns >= maxTurns then return redis.call('LLEN', G.gready) > 0 end
    turns = turns + 1
    local g = redis.call('LPOP', G.gready)
    if not g then return false end
    local lim = L and limits_group(L, g) or {}
    local running = tonumber(redis.call('HGET', G.groups, 'r:' .. g)) or 0
    local freeAt = nil
    if lim.rate then freeAt = limits_group_rate_free_at(o.grate, g, lim.rate, now) end
    if lim.conc and running >= lim.conc then
      group_hold(G, holds, { group = g, status = 'c', untilMs = GROUP_FOREVER })
    elseif freeAt then
      group_hold(G, holds, { group = g, status = 'w', untilMs = freeAt })
      o.limited(freeAt)
    else
      local head = redis.call('ZRANGEBYLEX', G.gjobs, '[' .. g .. '\0', '(' .. g .. '\1',
        'LIMIT', 0, 1)[1]
      local queued = 0
      if head then
        redis.call('ZREM', G.gjobs, head)
        queued = redis.call('HINCRBY', G.groups, 'q:' .. g, -1)
        local id, priority = group_member_job(head, g)
        if reserve_grouped_alive(o, id) then
          running = redis.call('HINCRBY', G.groups, 'r:' .. g, 1)
          o.popped[#o.popped + 1] = id
          o.priority[#o.popped] = priority
          o.group[#o.popped] = g
          if lim.rate then
            limits_group_rate_log({ grate = o.grate, grateexp = o.grateexp }, g, now, id, lim.rate)
            o.loggedFor = math.max(o.loggedFor, lim.rate.per)
          end
        else
          redis.call('HDEL', G.gof, id)
        end
      end
      if queued <= 0 then
        redis.call('HDEL', G.groups, 's:' .. g)
        if running <= 0 then group_forget(G, g) end
      elseif lim.conc and running >= lim.conc then
        group_hold(G, holds, { group = g, status = 'c', untilMs = GROUP_FOREVER, queued = queued })
      else
        redis.call('RPUSH', G.gready, g)
      end
    end
  end
  return false
end

local function reserve_pop_groups(o)
  local holds = group_holds_new()
  local left = reserve_pop_groups_held(o, holds)
  group_holds_flush(o.G, holds)
  return left
end
