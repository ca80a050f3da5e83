-- Limits (src/limits/limits-codec.ts writes the same layout), one hash:
--   rate  = "max|perMs"  the queue: at most max leases in any window of perMs
--   gconc = "n"          every group: at most n jobs running at once
--   grate = "max|perMs"  every group: as rate, per group
--   o:<group> = "concurrency|max|perMs"  one group's override ('' = the default)
-- Rates are sliding window logs: a lease is allowed when fewer than max leases
-- happened in the last perMs (Redis clock), and is then logged.
local function limits_rate(v)
  if not v or v == '' then return nil end
  local m, p = string.match(v, '^(%d+)|(%d+)$')
  if not m then return nil end
  return { max = tonumber(m), per = tonumber(p) }
end

local function limits_read(key)
  local v = redis.call('HMGET', key, 'rate', 'gconc', 'grate')
  local queueWide = 0
  for i = 1, 3 do
    if v[i] then queueWide = queueWide + 1 end
  end
  -- The hash holds these three fields and `o:<group>` overrides, nothing else: so
  -- one HLEN says whether any override exists, and without one no group's is read.
  return { key = key, rate = limits_rate(v[1]), gconc = tonumber(v[2]), grate = limits_rate(v[3]),
    overrides = redis.call('HLEN', key) > queueWide, cache = {} }
end

-- A group's limits: its override over the defaults, read once per script call.
local function limits_group(L, group)
  local c = L.cache[group]
  if c then return c end
  c = { conc = L.gconc, rate = L.grate }
  local o = L.overrides and redis.call('HGET', L.key, 'o:' .. group)
  if o then
    local conc, max, per = string.match(o, '^(%d*)|(%d*)|(%d*)$')
    if conc and conc ~= '' then c.conc = tonumber(conc) end
    if max and max ~= '' and per ~= '' then c.rate = { max = tonumber(max), per = tonumber(per) } end
  end
  L.cache[group] = c
  return c
end

local function limits_ts(ms) return string.format('%015d', ms) end

-- nil when the group may start a job now, else the time its rate allows one.
-- Its log is the lex range `group \0 time...` of the grate set.
local function limits_group_rate_free_at(grateKey, group, rate, now)
  local from = group .. '\0' .. limits_ts(now - rate.per + 1)
  redis.call('ZREMRANGEBYLEX', grateKey, '[' .. group .. '\0', '(' .. from)
  local n = redis.call('ZLEXCOUNT', grateKey, '[' .. from, '(' .. group .. '\1')
  if n < rate.max then return nil end
  local first = redis.call('ZRANGEBYLEX', grateKey, '[' .. from, '(' .. group .. '\1', 'LIMIT', 0, 1)[1]
  return tonumber(string.sub(first, #group + 2, #group + 16)) + rate.per
end

-- Logs a lease in its group's log, and when that log lapses (this lease
-- leaves the window): R is { grate, grateexp } (key names).
local function limits_group_rate_log(R, group, now, lease, rate)
  redis.call('ZADD', R.grate, 0, group .. '\0' .. limits_ts(now) .. lease)
  redis.call('ZADD', R.grateexp, now + rate.per, group)
end

-- Keeps a key alive at least `ms` more (PEXPIRE GT would skip a key with no
-- expiry yet): a log key outlives no window that its entries count in.
local function limits_keep_for(key, ms)
  if ms > 0 and redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end

-- Idle groups' logs are trimmed by nobody else (a group's log is trimmed when
-- it asks for a slot): up to `limit` groups whose last lease left its window
-- lose their log. Costs one range read per call when none lapsed.
local function limits_forget_group_rate_logs(grateKey, grateexpKey, now, limit)
  local lapsed = redis.call('ZRANGEBYSCORE', grateexpKey, '-inf', now, 'LIMIT', 0, limit)
  if #lapsed == 0 then return end
  for i = 1, #lapsed do
    local g = lapsed[i]
    redis.call('ZREMRANGEBYLEX', grateKey, '[' .. g .. '\0', '(' .. g .. '\1')
  end
  call_sliced('ZREM', grateexpKey, lapsed, 1000)
end
