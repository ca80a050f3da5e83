-- Grouped jobs (src/limits/README.md). A due grouped job waits in `gjobs`, a
-- sorted set of score 0 read by lex range: member `group \0 priority seq id`,
-- so one group's jobs are one range, in priority then enqueue order. Groups
-- with queued jobs take turns through the `gready` list; one held back by a
-- limit waits in `gwait` until the time it may run (GROUP_FOREVER: until one
-- of its slots frees). `groups` holds per group `q:` queued and `r:` running
-- counts and `s:`, where the group is: r (gready), w (gwait, rate), c (gwait,
-- concurrency), absent (no queued jobs); `held:c` and `held:w` count the
-- queued jobs of the groups held back by concurrency and by rate, kept as
-- groups are held, freed and take or lose jobs (read by metrics for the price
-- of one HMGET). A job holds its group's slot from
-- its first lease until it completes, is dead-lettered or cancelled, retries
-- included (it runs again from the plain ready lists): so a group of
-- concurrency 1 runs its jobs one at a time, in order, even when one fails.
-- G is { groups, gjobs, gready, gwait, gindex, gof } (key names).
local GROUP_FOREVER = 1000000000000000

local function group_of(member)
  local cut = string.find(member, '\0', 1, true)
  return string.sub(member, 1, cut - 1)
end

-- The id and priority a gjobs member holds.
local function group_member_job(member, group)
  local at = #group + 2
  return string.sub(member, at + 16), tonumber(string.sub(member, at, at))
end

local function group_member(G, group, priority, id)
  local seq = redis.call('HINCRBY', G.groups, 'seq', 1)
  return group .. '\0' .. priority .. string.format('%015d', seq) .. id
end

-- A group that has queued jobs and waits nowhere joins the round-robin.
local function group_activate(G, group)
  if redis.call('HSETNX', G.groups, 's:' .. group, 'r') == 1 then
    redis.call('RPUSH', G.gready, group)
  end
end

-- Counts `n` more (or fewer) queued jobs held back when the group's status
-- `s` is a hold (c or w). Never below 0: groups held before the count existed
-- (an older version) would leave it short for good.
local function group_held_add(G, s, n)
  if (s ~= 'c' and s ~= 'w') or n == 0 then return end
  if redis.call('HINCRBY', G.groups, 'held:' .. s, n) < 0 then
    redis.call('HSET', G.groups, 'held:' .. s, 0)
  end
end

local function group_queued(G, group)
  return tonumber(redis.call('HGET', G.groups, 'q:' .. group)) or 0
end

-- A due grouped job joins its group's queue (and its group the index, which
-- may have forgotten it while the job was scheduled).
local function group_push(G, member)
  local group = group_of(member)
  redis.call('ZADD', G.gjobs, 0, member)
  redis.call('ZADD', G.gindex, 0, group)
  redis.call('HINCRBY', G.groups, 'q:' .. group, 1)
  group_held_add(G, redis.call('HGET', G.groups, 's:' .. group), 1)
  group_activate(G, group)
end

-- Holds back a group taking its turn (status r): c or w until untilMs. The
-- writes wait in `holds` (group_holds_new) for group_holds_flush, a few calls for
-- every group a reserve call holds back. `queued` is the group's count of queued
-- jobs when the caller has it at hand (else read).
local function group_holds_new()
  return { status = {}, wait = {}, held = { c = 0, w = 0 } }
end

local function group_hold(G, holds, hold)
  local g = hold.group
  holds.status[#holds.status + 1] = 's:' .. g
  holds.status[#holds.status + 1] = hold.status
  holds.wait[#holds.wait + 1] = string.format('%d', hold.untilMs)
  holds.wait[#holds.wait + 1] = g
  holds.held[hold.status] = holds.held[hold.status] + (hold.queued or group_queued(G, g))
end

local function group_holds_flush(G, holds)
  if #holds.wait == 0 then return end
  call_sliced('HSET', G.groups, holds.status, 2000)
  call_sliced('ZADD', G.gwait, holds.wait, 2000)
  group_held_add(G, 'c', holds.held.c)
  group_held_add(G, 'w', holds.held.w)
end

-- A held group takes its turn again (its wait is over, a slot freed).
local function group_unhold(G, group, status)
  group_held_add(G, status, -group_queued(G, group))
  redis.call('HSET', G.groups, 's:' .. group, 'r')
  redis.call('RPUSH', G.gready, group)
end

-- A group with nothing queued or running leaves the index (its counts too).
-- Once no grouped job lives at all (none queued, scheduled, running or
-- retrying: gof is empty), the sequence restarts: it orders members of gjobs
-- only, and there are none.
local function group_forget(G, group)
  redis.call('HDEL', G.groups, 'q:' .. group, 'r:' .. group, 's:' .. group)
  redis.call('ZREM', G.gindex, group)
  if redis.call('HLEN', G.gof) == 0 and redis.call('ZCARD', G.gindex) == 0 then
    redis.call('DEL', G.groups)
  end
end

-- Frees the slots that these jobs held (they completed, were dead-lettered or
-- cancelled) and forgets their group membership. Returns whether a group held
-- back by its concurrency is ready again. Plain jobs cost one HLEN per call,
-- or one HMGET in a queue that has grouped jobs; a grouped job costs two or
-- three calls of its own, the rest is one call per batch.
local function group_release(G, ids)
  if #ids == 0 or redis.call('HLEN', G.gof) == 0 then return false end
  local members = hmget_many(G.gof, ids)
  local grouped = {}
  for i = 1, #ids do
    if members[i] then grouped[#grouped + 1] = ids[i] end
  end
  -- Before the walk: group_forget reads an empty gof as "no grouped job lives".
  call_sliced('HDEL', G.gof, grouped, 1000)
  local status, unheld, statusArgs, freed = {}, {}, {}, 0
  for i = 1, #ids do
    local m = members[i]
    if m then
      local g = group_of(m)
      local running = redis.call('HINCRBY', G.groups, 'r:' .. g, -1)
      local s = status[g]
      if s == nil then s = redis.call('HGET', G.groups, 's:' .. g) end
      if s == 'c' then
        freed = freed + group_queued(G, g)
        unheld[#unheld + 1] = g
        statusArgs[#statusArgs + 1] = 's:' .. g
        statusArgs[#statusArgs + 1] = 'r'
        s = 'r'
      elseif not s and running <= 0 then
        group_forget(G, g)
      end
      status[g] = s
    end
  end
  if #unheld == 0 then return false end
  -- What group_unhold does for each, in one call per kind.
  group_held_add(G, 'c', -freed)
  call_sliced('ZREM', G.gwait, unheld, 1000)
  call_sliced('HSET', G.groups, statusArgs, 2000)
  call_sliced('RPUSH', G.gready, unheld, 1000)
  return true
end

-- Forgets a grouped job that never ran and will not (cancelled before its first
-- lease): a queued one leaves gjobs here, so that its group's count stays true.
-- A group left with nothing queued or running leaves the index, also when the
-- job was a scheduled one (enqueue indexed its group already).
local function group_drop(G, id)
  local m = redis.call('HGET', G.gof, id)
  if not m then return end
  redis.call('HDEL', G.gof, id)
  local g = group_of(m)
  local queued = group_queued(G, g)
  local s = redis.call('HGET', G.groups, 's:' .. g)
  if redis.call('ZREM', G.gjobs, m) == 1 then
    queued = redis.call('HINCRBY', G.groups, 'q:' .. g, -1)
    group_held_add(G, s, -1)
  end
  if queued <= 0 and s == false then
    if (tonumber(redis.call('HGET', G.groups, 'r:' .. g)) or 0) <= 0 then group_forget(G, g) end
  end
end
