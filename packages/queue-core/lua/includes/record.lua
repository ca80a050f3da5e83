-- A job is one field of the queue's `jobs` hash: its mutable record, a newline,
-- then its spec JSON (JSON.stringify never writes a raw newline). One field, not
-- a record hash beside a spec hash, saves Redis a hash entry per job (~75 bytes),
-- and a state change is still one HSET. The record:
--   state|attempts|stalls|priority|owner|runAt|startedAt|finishedAt
-- owner is empty unless the job is active; times are ms, 0 when unset.
-- Batches read and write many jobs in one HMGET / HSET.
-- Decoding keeps the times as the strings they are (most writes copy them
-- unchanged); numbers are written through num_str. Lua's own number-to-string
-- conversion is a sprintf each time, and these two functions run for every job
-- of every batch, so they are the bulk of a script's own CPU.
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
  local cut = string.find(v, '\n', 1, true)
  local head = cut and string.sub(v, 1, cut - 1) or v
  local s, a, k, p, o, r, b, f = string.match(head,
    '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
  if not s then return nil end
  -- The spec stays inside raw until it is needed: most reads only check the record.
  return { state = s, attempts = tonumber(a) or 0, stalls = tonumber(k) or 0,
    priority = tonumber(p) or 5, owner = o, runAt = r, startedAt = b, finishedAt = f,
    raw = v, cut = cut }
end

-- The job's spec JSON; '' when it has none (a job written straight into a list).
local function rec_spec(r)
  if r.spec then return r.spec end
  if r.cut then
    r.spec = string.sub(r.raw, r.cut + 1)
    return r.spec
  end
  return ''
end

local function rec_encode(r)
  return r.state .. '|' .. num_str(r.attempts) .. '|' .. num_str(r.stalls) .. '|' ..
    num_str(r.priority) .. '|' .. r.owner .. '|' .. num_str(r.runAt) .. '|' ..
    num_str(r.startedAt) .. '|' .. num_str(r.finishedAt) .. '\n' .. rec_spec(r)
end

local function rec_read(jobsKey, id)
  return rec_decode(redis.call('HGET', jobsKey, id))
end

local function rec_new(state, priority, runAt, spec)
  return { state = state, attempts = 0, stalls = 0, priority = priority, owner = '',
    runAt = runAt, startedAt = 0, finishedAt = 0, spec = spec or '' }
end

local function rec_write(jobsKey, id, r)
  redis.call('HSET', jobsKey, id, rec_encode(r))
end

-- Runs `cmd key args...` over a long argument list in slices, below Lua's
-- limit on how many values unpack() may spread.
local function call_sliced(cmd, key, args, step)
  for from = 1, #args, step do
    redis.call(cmd, key, unpack(args, from, math.min(from + step - 1, #args)))
  end
end

-- Records of many ids (nil where missing or not a record), with one HMGET per
-- 1000 ids; and the stored values as they are.
local function rec_read_many(jobsKey, ids)
  local out, raws = {}, {}
  for from = 1, #ids, 1000 do
    local to = math.min(from + 999, #ids)
    local raw = redis.call('HMGET', jobsKey, unpack(ids, from, to))
    for i = from, to do
      raws[i] = raw[i - from + 1]
      out[i] = rec_decode(raws[i])
    end
  end
  return out, raws
end

-- Writes records: ids[i] gets recs[i].
local function rec_write_many(jobsKey, ids, recs)
  local args = {}
  for i = 1, #ids do
    args[#args + 1] = ids[i]
    args[#args + 1] = rec_encode(recs[i])
  end
  call_sliced('HSET', jobsKey, args, 2000)
end
