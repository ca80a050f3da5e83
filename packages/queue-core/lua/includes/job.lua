-- Reading one job's record whatever stage of its life it is in. A job waiting
-- for its first run has a spec and no record: it reads as queued, attempt 0,
-- priority nil (the list it waits in knows it; job.lua's callers that need it
-- look in every ready list). A storage v1 job is converted first (legacy.lua).
-- Needs record.lua and legacy.lua; k needs specs, state, legacy, adopted.
local function job_read(k, id)
  local r = rec_decode(redis.call('HGET', k.state, id))
  if r then return r end
  if redis.call('HEXISTS', k.specs, id) == 0 then
    if legacy_adopt(k, { id }) == 0 then return nil end
    r = rec_decode(redis.call('HGET', k.state, id))
    if r then return r end
  end
  local fresh = rec_new('queued', nil, 0)
  fresh.fresh = true
  return fresh
end

-- Takes a queued job out of its ready list; a fresh one's priority is not
-- recorded, so every list is tried (an operator action, never a job's hot path).
local function unqueue(readyKeys, r, id)
  if r.priority then
    redis.call('LREM', readyKeys[r.priority + 1], 1, id)
    return
  end
  for p = 1, #readyKeys do
    if redis.call('LREM', readyKeys[p], 1, id) > 0 then return end
  end
end
