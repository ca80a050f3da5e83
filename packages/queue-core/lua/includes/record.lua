-- A job's mutable record, one field of the queue's `state` hash:
--   state|attempts|stalls|priority|owner|runAt|startedAt|finishedAt
-- owner is the lease's token (workerId:attempt) while the job is active, else
-- empty; times are ms on the Redis clock, 0 when unset (runAt 0: the job's
-- createdAt). src/record-codec.ts reads and writes the same layout, and
-- test/record-codec.test.ts holds the two to one fixture. A job that waits for
-- its first run has no record at all (see job.lua): most jobs are enqueued,
-- run once and deleted, and need none until they start.
-- Times stay the strings they were stored as; numbers are written through
-- num_str, since Lua's number-to-string conversion is a sprintf each time.
local num_strs = {}
local function num_str(n)
  if type(n) ~= 'number' then return n end
  local s = num_strs[n]
  if not s then
    s = string.format('%d', n)
    num_strs[n] = s
  end
  return s
end

local function rec_decode(v)
  if not v then return nil end
  local s, a, k, p, o, r, b, f = string.match(v,
    '^([a-z]+)|(%d+)|(%d+)|(%d)|([^|]*)|(%d+)|(%d+)|(%d+)$')
  if not s then return nil end
  return { state = s, attempts = tonumber(a), stalls = tonumber(k), priority = tonumber(p),
    owner = o, runAt = r, startedAt = b, finishedAt = f }
end

local function rec_encode(r)
  return r.state .. '|' .. num_str(r.attempts) .. '|' .. num_str(r.stalls) .. '|' ..
    num_str(r.priority) .. '|' .. r.owner .. '|' .. num_str(r.runAt) .. '|' ..
    num_str(r.startedAt) .. '|' .. num_str(r.finishedAt)
end

local function rec_new(state, priority, runAt)
  return { state = state, attempts = 0, stalls = 0, priority = priority, owner = '',
    runAt = runAt, startedAt = 0, finishedAt = 0 }
end

-- Runs `cmd key args...` over a long argument list in slices, below Lua's
-- limit on how many values unpack() may spread.
local function call_sliced(cmd, key, args, step)
  for from = 1, #args, step do
    redis.call(cmd, key, unpack(args, from, math.min(from + step - 1, #args)))
  end
end

-- Values of many fields of one hash, with one HMGET per 1000 ids.
local function hmget_many(key, ids)
  local out = {}
  for from = 1, #ids, 1000 do
    local to = math.min(from + 999, #ids)
    local raw = redis.call('HMGET', key, unpack(ids, from, to))
    for i = from, to do out[i] = raw[i - from + 1] end
  end
  return out
end

-- Writes records: ids[i] gets recs[i].
local function rec_write_many(stateKey, ids, recs)
  local args = {}
  for i = 1, #ids do
    args[#args + 1] = ids[i]
    args[#args + 1] = rec_encode(recs[i])
  end
  call_sliced('HSET', stateKey, args, 2000)
end
