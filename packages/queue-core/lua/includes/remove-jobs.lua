-- Deletes every trace of jobs from the per-queue hashes (not from the index
-- that holds them: the caller knows which one that is), a few HDELs for a whole
-- batch. k needs specs, state, results, progress, errors, idem, ikeys, and
-- legacy when a v1 job may still be stored. Needs record.lua.
local function remove_jobs(k, ids)
  if #ids == 0 then return end
  for from = 1, #ids, 1000 do
    local to = math.min(from + 999, #ids)
    local ikeys = redis.call('HMGET', k.ikeys, unpack(ids, from, to))
    for i = from, to do
      local ikey = ikeys[i - from + 1]
      if ikey and redis.call('HGET', k.idem, ikey) == ids[i] then
        redis.call('HDEL', k.idem, ikey)
      end
    end
  end
  local keys = { k.specs, k.state, k.results, k.progress, k.errors, k.ikeys, k.legacy }
  for _, key in ipairs(keys) do
    if key then call_sliced('HDEL', key, ids, 1000) end
  end
end
