--[[ schedules-record-run: add a fire made outside the slots (a run-now) to a schedule's
runs. The leader records the fires of slots itself, when it confirms them.
KEYS[1]  defs  hash  id -> current revision
KEYS[2]  runs  list  this schedule's last fires, newest first
ARGV[1]  schedule id
ARGV[2]  the fire, JSON
ARGV[3]  fires kept
Returns: 1 recorded; 0 the schedule is gone (nothing written).
]]
local defsKey, runsKey = KEYS[1], KEYS[2]
if redis.call('HEXISTS', defsKey, ARGV[1]) == 0 then return 0 end
redis.call('LPUSH', runsKey, ARGV[2])
redis.call('LTRIM', runsKey, 0, tonumber(ARGV[3]) - 1)
return 1
