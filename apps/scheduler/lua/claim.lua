--[[ claim: record that a schedule's slot fires (or is skipped), once, by the current leader.
KEYS[1]  lease  string  "<holder>|<token>" of the current leader
KEYS[2]  fence  string  the newest fencing token
KEYS[3]  slots  hash    schedule name -> "<slot ms>|<state>|<token>", state claimed|fired|skipped
ARGV[1]  our lease value "<holder>|<token>"
ARGV[2]  our fencing token
ARGV[3]  schedule name
ARGV[4]  slot ms (the cron's scheduled time)
ARGV[5]  state to record: "claimed" (the caller enqueues next) or "skipped"
Returns: 1 recorded; 0 this slot or a later one is already recorded;
  -1 fenced: the lease is not ours or a newer token was issued, nothing written.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
if tonumber(redis.call('GET', KEYS[2])) ~= tonumber(ARGV[2]) then return -1 end
local last = redis.call('HGET', KEYS[3], ARGV[3])
if last then
  local slot = tonumber(string.match(last, '^(%d+)|'))
  if slot and slot >= tonumber(ARGV[4]) then return 0 end
end
-- ARGV strings are stored as given: tostring() of a Lua number could turn 13 digits into 1.7e+12.
redis.call('HSET', KEYS[3], ARGV[3], ARGV[4] .. '|' .. ARGV[5] .. '|' .. ARGV[2])
return 1
