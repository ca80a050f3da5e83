--[[ counts: how many jobs are in each state, read in one atomic step.
KEYS[1]  meta      hash
KEYS[2]  delayed   zset
KEYS[3]  retry     zset
KEYS[4]  leases    zset
KEYS[5]  completed zset
KEYS[6]  dead      zset
KEYS[7]  cancelled zset
KEYS[8..17] ready:0..ready:9 lists
Returns: { queued, scheduled, retrying, active, completed, dead, cancelled, paused (0/1) }
]]
local queued = 0
for i = 8, 17 do queued = queued + redis.call('LLEN', KEYS[i]) end
return { queued, redis.call('ZCARD', KEYS[2]), redis.call('ZCARD', KEYS[3]),
  redis.call('ZCARD', KEYS[4]), redis.call('ZCARD', KEYS[5]), redis.call('ZCARD', KEYS[6]),
  redis.call('ZCARD', KEYS[7]), redis.call('HGET', KEYS[1], 'paused') == '1' and 1 or 0 }
