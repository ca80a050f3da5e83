-- Deletes every trace of a job from the per-queue hashes (not from the index
-- that holds it: the caller knows which one that is). k is a table of keys:
-- jobs, st, results, progress, errors, idem, ikeys.
local function remove_job(k, id)
  local ikey = redis.call('HGET', k.ikeys, id)
  if ikey then
    if redis.call('HGET', k.idem, ikey) == id then redis.call('HDEL', k.idem, ikey) end
    redis.call('HDEL', k.ikeys, id)
  end
  redis.call('HDEL', k.jobs, id)
  redis.call('HDEL', k.st, id)
  redis.call('HDEL', k.results, id)
  redis.call('HDEL', k.progress, id)
  redis.call('HDEL', k.errors, id)
end
