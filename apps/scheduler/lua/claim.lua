--[[ claim: decide one slot of a schedule, once, by the current leader: "claimed" (the
caller enqueues the pending job next, then confirms) or "skipped" (missed, catch-up off).
KEYS[1]  lease   string  "<holder>|<token>" of the current leader
KEYS[2]  fence   string  the newest fencing token
KEYS[3]  defs    hash    id -> current revision "<rev>|<since ms>|<status>|<json>"
KEYS[4]  slots   hash    id -> "<slot ms>|<state>|<token>|<fires>[|<pending job>]"
KEYS[5]  missed  list    this schedule's last missed or skipped slots
ARGV[1]  our lease value "<holder>|<token>"
ARGV[2]  our fencing token
ARGV[3]  schedule id
ARGV[4]  the revision the decision was made on
ARGV[5]  slot ms
ARGV[6]  state to record: claimed | skipped
ARGV[7]  the slot's limit of fires (0: none)
ARGV[8]  the pending job, JSON ('' when skipped)
ARGV[9]  a missed entry to add, JSON ('' for none)
ARGV[10] missed entries kept
Returns: 1 recorded; 0 not recorded: this slot or a later one is decided, a claim is not
  yet confirmed, or the limit is reached; -1 fenced: the lease is not ours or a newer
  token was issued; -2 stale: the schedule has a newer revision (read it again).
]]
local leaseKey, fenceKey, defsKey, slotsKey, missedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local id, slotMs, state = ARGV[3], ARGV[5], ARGV[6]
if redis.call('GET', leaseKey) ~= ARGV[1] then return -1 end
if tonumber(redis.call('GET', fenceKey)) ~= tonumber(ARGV[2]) then return -1 end
local current = redis.call('HGET', defsKey, id)
if not current or tonumber(string.match(current, '^(%d+)|')) ~= tonumber(ARGV[4]) then return -2 end

local fires = 0
local last = redis.call('HGET', slotsKey, id)
if last then
  local slot, lastState, count = string.match(last, '^(%d+)|(%a+)|%d+|?(%d*)')
  if lastState == 'claimed' then return 0 end
  if tonumber(slot) >= tonumber(slotMs) then return 0 end
  fires = tonumber(count) or 0
end
-- ARGV strings are stored as given: tostring() of a Lua number could turn 13 digits into 1.7e+12.
local record
if state == 'claimed' then
  local limit = tonumber(ARGV[7])
  if limit > 0 and fires >= limit then return 0 end
  record = slotMs .. '|claimed|' .. ARGV[2] .. '|' .. (fires + 1) .. '|' .. ARGV[8]
else
  record = slotMs .. '|skipped|' .. ARGV[2] .. '|' .. fires
end
redis.call('HSET', slotsKey, id, record)
if ARGV[9] ~= '' then
  redis.call('LPUSH', missedKey, ARGV[9])
  redis.call('LTRIM', missedKey, 0, tonumber(ARGV[10]) - 1)
end
return 1
