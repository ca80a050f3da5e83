-- The mutable part of a job lives in one field of the `st` hash, so that a
-- state change is one HSET instead of several:
--   state|attempts|stalls|priority|owner|runAt|startedAt|finishedAt
-- owner is empty unless the job is active; times are ms, 0 when unset.
local function rec_decode(v)
  if not v then return nil end
  local s, a, k, p, o, r, b, f = string.match(v,
    '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
  if not s then return nil end
  return { state = s, attempts = tonumber(a) or 0, stalls = tonumber(k) or 0,
    priority = tonumber(p) or 5, owner = o, runAt = tonumber(r) or 0,
    startedAt = tonumber(b) or 0, finishedAt = tonumber(f) or 0 }
end

local function rec_read(stKey, id)
  return rec_decode(redis.call('HGET', stKey, id))
end

local function rec_new(state, priority, runAt)
  return { state = state, attempts = 0, stalls = 0, priority = priority, owner = '',
    runAt = runAt, startedAt = 0, finishedAt = 0 }
end

local function rec_write(stKey, id, r)
  redis.call('HSET', stKey, id, r.state .. '|' .. r.attempts .. '|' .. r.stalls .. '|' ..
    r.priority .. '|' .. r.owner .. '|' .. string.format('%d', r.runAt) .. '|' ..
    string.format('%d', r.startedAt) .. '|' .. string.format('%d', r.finishedAt))
end
