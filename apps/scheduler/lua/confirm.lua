--[[ confirm: mark a claimed slot as fired once its job is enqueued.
KEYS[1]  slots  hash  schedule name -> "<slot ms>|<state>|<token>"
ARGV[1]  schedule name
ARGV[2]  slot ms
Returns: 1 marked fired; 0 the record is no longer this slot's claim (nothing to do).
]]
local last = redis.call('HGET', KEYS[1], ARGV[1])
if not last then return 0 end
local slot, state, token = string.match(last, '^(%d+)|(%a+)|(%d+)$')
if state ~= 'claimed' or tonumber(slot) ~= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], slot .. '|fired|' .. token)
return 1
