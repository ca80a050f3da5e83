-- Deletes every trace of jobs from the per-queue hashes (not from the index
-- that holds them: the caller knows which one that is), a few HDELs for a whole
-- batch. k is a table of keys: jobs, results, progress, errors, idem, ikeys.
-- Needs record.lua (call_sliced).
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
  for _, key in ipairs({ k.ikeys, k.jobs, k.results, k.progress, k.errors }) do
    call_sliced('HDEL', key, ids, 1000)
  end
end

local function remove_job(k, id)
  remove_jobs(k, { id })
end
