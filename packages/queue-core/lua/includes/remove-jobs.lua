-- Deletes every trace of jobs from the per-queue hashes (not from the index
-- that holds them: the caller knows which one that is), a few HDELs for a whole
-- batch. k needs specs, state, results, progress, errors, idem, ikeys, heads,
-- and legacy when a v1 job may still be stored. Needs record.lua.
local function remove_jobs(k, ids)
  if #ids == 0 then return end
  for from = 1, #ids, 1000 do
    local to = math.min(from + 999, #ids)
    local ikeys = redis.call('HMGET', k.ikeys, unpack(ids, from, to))
    for i = from, to do
      local ikey = ikeys[i - from + 1]
      local owner = ikey and redis.call('HGET', k.idem, ikey)
      -- "id" or "id|fingerprint": the key is freed only if it is still this job's.
      if owner and (owner == ids[i] or string.sub(owner, 1, #ids[i] + 1) == ids[i] .. '|') then
        redis.call('HDEL', k.idem, ikey)
      end
    end
  end
  local keys = { k.specs, k.state, k.results, k.progress, k.errors, k.ikeys, k.heads, k.legacy }
  for i = 1, 8 do
    if keys[i] then call_sliced('HDEL', keys[i], ids, 1000) end
  end
end
