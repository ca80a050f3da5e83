-- Idle workers block on BLPOP of the wake list. One marker at most: a worker
-- that wakes and finds more work than it takes pushes the next marker itself,
-- so sleepers are woken one after another without the list growing.
local function wake(wakeKey)
  if redis.call('LLEN', wakeKey) == 0 then
    redis.call('LPUSH', wakeKey, '1')
  end
end
