-- The mutable part of a job lives in one field of the `st` hash, so that a
-- state change is one HSET instead of several:
--   state|attempts|stalls|priority|owner|runAt|startedAt|finishedAt
-- owner is empty unless the job is active; times are ms, 0 when unset.
-- Batches read and write many records in one HMGET / HSET.
local function rec_decode(v)
  if not v then return nil end
  local s, a, k, p, o, r, b, f = string.match(v,
    '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
  if not s then return nil end
  return { state = s, attempts = tonumber(a) or 0, stalls = tonumber(k) or 0,
    priority = tonumber(p) or 5, owner = o, runAt = tonumber(r) or 0,
    startedAt = tonumber(b) or 0, finishedAt = tonumber(f) or 0 }
end

local function rec_encode(r)
  return r.state .. '|' .. r.attempts .. '|' .. r.stalls .. '|' .. r.priority .. '|' ..
    r.owner .. '|' .. string.format('%d', r.runAt) .. '|' ..
    string.format('%d', r.startedAt) .. '|' .. string.format('%d', r.finishedAt)
end

local function rec_read(stKey, id)
  return rec_decode(redis.call('HGET', stKey, id))
end

local function rec_new(state, priority, runAt)
  return { state = state, attempts = 0, stalls = 0, priority = priority, owner = '',
    runAt = runAt, startedAt = 0, finishedAt = 0 }
end

local function rec_write(stKey, id, r)
  redis.call('HSET', stKey, id, rec_encode(r))
end

-- Runs `cmd key args...` over a long argument list in slices, below Lua's
-- limit on how many values unpack() may spread.
local function call_sliced(cmd, key, args, step)
  for from = 1, #args, step do
    redis.call(cmd, key, unpack(args, from, math.min(from + step - 1, #args)))
  end
end

-- Records of many ids (nil where missing), with one HMGET per 1000 ids.
local function rec_read_many(stKey, ids)
  local out = {}
  for from = 1, #ids, 1000 do
    local to = math.min(from + 999, #ids)
    local raw = redis.call('HMGET', stKey, unpack(ids, from, to))
    for i = from, to do out[i] = rec_decode(raw[i - from + 1]) end
  end
  return out
end

-- Writes records: ids[i] gets recs[i].
local function rec_write_many(stKey, ids, recs)
  local args = {}
  for i = 1, #ids do
    args[#args + 1] = ids[i]
    args[#args + 1] = rec_encode(recs[i])
  end
  call_sliced('HSET', stKey, args, 2000)
end
