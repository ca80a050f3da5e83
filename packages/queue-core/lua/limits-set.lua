--[[ limits-set: replace the queue's limits or one group's override, or clear them.
Groups held back by a limit take their turn again, so that a change applies at
the next reserve (their limits are read anew there); sleeping workers are woken.
KEYS[1]  meta      hash   `limits` flag: the limits hash is not empty
KEYS[2]  limits    hash   (includes/limits.lua)
KEYS[3]  wake      list
KEYS[4]  groups    hash   per-group counts and status (includes/groups.lua)
KEYS[5]  gjobs     zset   queued grouped jobs
KEYS[6]  gready    list   groups taking turns
KEYS[7]  gwait     zset   groups held back by a limit
KEYS[8]  gindex    zset   groups by name
KEYS[9]  gof       hash   grouped job id -> gjobs member
ARGV[1]  'queue' or 'group'
ARGV[2]  the group ('' for the queue)
ARGV[3]  for the queue: rate "max|perMs" ('' = none)
ARGV[4]  for the queue: every group's concurrency ('' = none)
ARGV[5]  for the queue: every group's rate "max|perMs" ('' = none)
  for a group, ARGV[3] is its override "concurrency|max|perMs" ('' = none)
Returns: the number of groups that were held back by a limit.
]]
local metaKey, limitsKey, wakeKey, groupsKey, gjobsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local greadyKey, gwaitKey, gindexKey, gofKey = KEYS[6], KEYS[7], KEYS[8], KEYS[9]
--- @include "record"
--- @include "wake"

local scope, group = ARGV[1], ARGV[2]
local function put(field, value)
  if value == '' then redis.call('HDEL', limitsKey, field) else redis.call('HSET', limitsKey, field, value) end
end
if scope == 'queue' then
  put('rate', ARGV[3])
  put('gconc', ARGV[4])
  put('grate', ARGV[5])
else
  put('o:' .. group, ARGV[3])
end
if redis.call('HLEN', limitsKey) > 0 then
  redis.call('HSET', metaKey, 'limits', '1')
else
  redis.call('HDEL', metaKey, 'limits')
end

-- An operator's action: the walk over held-back groups is fine here.
local held = redis.call('ZRANGE', gwaitKey, 0, -1)
local status = {}
for i = 1, #held do
  status[#status + 1] = 's:' .. held[i]
  status[#status + 1] = 'r'
end
call_sliced('HSET', groupsKey, status, 2000)
call_sliced('RPUSH', greadyKey, held, 1000)
redis.call('DEL', gwaitKey)
-- No group is held back now: no queued job either (includes/groups.lua).
redis.call('HDEL', groupsKey, 'held:c', 'held:w')
wake(wakeKey)
return #held
