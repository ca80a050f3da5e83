--[[ reschedule: after deciding what was due, set when the leader looks at the schedule
next, forget the older revisions whose slots are all decided, and remove a deleted
schedule once it owes nothing.
KEYS[1]  lease    string  "<holder>|<token>" of the current leader
KEYS[2]  fence    string  the newest fencing token
KEYS[3]  defs     hash    id -> current revision "<rev>|<since ms>|<status>|<json>"
KEYS[4]  history  hash    id -> older revisions, "\n"-separated, oldest first
KEYS[5]  slots    hash    id -> slot record
KEYS[6]  due      zset    id -> when the leader must next look at it, ms
KEYS[7]  runs     list    this schedule's last fires
KEYS[8]  missed   list    this schedule's last missed or skipped slots
ARGV[1]  our lease value "<holder>|<token>"
ARGV[2]  our fencing token
ARGV[3]  schedule id
ARGV[4]  the revision the decision was made on
ARGV[5]  next due ms (-1: nothing left to fire)
ARGV[6]  how many of the oldest older revisions are settled (dropped)
Returns: 1 done; 2 the deleted schedule owes nothing more and is removed;
  -1 fenced; -2 stale: the schedule has a newer revision (nothing written).
]]
local leaseKey, fenceKey, defsKey, historyKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local slotsKey, dueKey, runsKey, missedKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local id, nextDue, settled = ARGV[3], ARGV[5], tonumber(ARGV[6])
if redis.call('GET', leaseKey) ~= ARGV[1] then return -1 end
if tonumber(redis.call('GET', fenceKey)) ~= tonumber(ARGV[2]) then return -1 end
local current = redis.call('HGET', defsKey, id)
if not current or tonumber(string.match(current, '^(%d+)|')) ~= tonumber(ARGV[4]) then return -2 end

local older = redis.call('HGET', historyKey, id)
if older and settled > 0 then
  local rest = older
  for _ = 1, settled do
    local cut = string.find(rest, '\n', 1, true)
    if not cut then
      rest = nil
      break
    end
    rest = string.sub(rest, cut + 1)
  end
  older = rest
  if older then redis.call('HSET', historyKey, id, older) else redis.call('HDEL', historyKey, id) end
end

local last = redis.call('HGET', slotsKey, id) or ''
local claimed = string.match(last, '^%d+|claimed|') ~= nil
if nextDue == '-1' and not older and not claimed and string.match(current, '^%d+|%d+|deleted|') then
  redis.call('HDEL', defsKey, id)
  redis.call('HDEL', slotsKey, id)
  redis.call('ZREM', dueKey, id)
  redis.call('DEL', runsKey, missedKey)
  return 2
end
if nextDue == '-1' then
  redis.call('ZREM', dueKey, id)
else
  redis.call('ZADD', dueKey, nextDue, id)
end
return 1
