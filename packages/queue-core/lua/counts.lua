--[[ counts: how many jobs are in each state, read in one atomic step.
KEYS[1]  meta      hash
KEYS[2]  delayed   zset
KEYS[3]  retry     zset
KEYS[4]  leases    zset
KEYS[5]  completed zset
KEYS[6]  dead      zset
KEYS[7]  cancelled zset
KEYS[8]  waiting   zset   flow jobs waiting for their parents
KEYS[9]  gjobs     zset   queued grouped jobs (includes/groups.lua): queued too
KEYS[10..19] ready:0..ready:9 lists
Returns: { queued, scheduled, retrying, active, completed, dead, cancelled, paused (0/1),
  waiting }
]]
local metaKey, delayedKey, retryKey, leasesKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local completedKey, deadKey, cancelledKey, waitingKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local gjobsKey = KEYS[9]
--- @include "ready"

local queued = redis.call('ZCARD', gjobsKey)
for _, key in ipairs(ready_keys(10)) do queued = queued + redis.call('LLEN', key) end
return { queued, redis.call('ZCARD', delayedKey), redis.call('ZCARD', retryKey),
  redis.call('ZCARD', leasesKey), redis.call('ZCARD', completedKey), redis.call('ZCARD', deadKey),
  redis.call('ZCARD', cancelledKey), redis.call('HGET', metaKey, 'paused') == '1' and 1 or 0,
  redis.call('ZCARD', waitingKey) }
