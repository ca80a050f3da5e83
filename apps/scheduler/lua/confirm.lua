--[[ confirm: a claimed slot's job is enqueued (or can never be): record it as fired (or
failed), drop the pending job and add the fire to the schedule's runs.
KEYS[1]  slots  hash  id -> "<slot ms>|<state>|<token>|<fires>[|<pending job>]"
KEYS[2]  runs   list  this schedule's last fires, newest first
ARGV[1]  schedule id
ARGV[2]  slot ms
ARGV[3]  state to record: fired | failed
ARGV[4]  the fire, JSON
ARGV[5]  fires kept
Returns: 1 confirmed; 0 the record is no longer this slot's claim (nothing to do).
]]
local slotsKey, runsKey = KEYS[1], KEYS[2]
local last = redis.call('HGET', slotsKey, ARGV[1])
if not last then return 0 end
local slot, state, token, fires = string.match(last, '^(%d+)|(%a+)|(%d+)|?(%d*)')
if state ~= 'claimed' or tonumber(slot) ~= tonumber(ARGV[2]) then return 0 end
if fires == '' then fires = '1' end
redis.call('HSET', slotsKey, ARGV[1], slot .. '|' .. ARGV[3] .. '|' .. token .. '|' .. fires)
redis.call('LPUSH', runsKey, ARGV[4])
redis.call('LTRIM', runsKey, 0, tonumber(ARGV[5]) - 1)
return 1
