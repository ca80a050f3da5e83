--[[ release: give leased jobs back to the head of their ready list, on a
graceful shutdown. The attempt is not counted: the job did not fail.
KEYS[1]  state     hash   id -> record (includes/record.lua)
KEYS[2]  leases    zset
KEYS[3]  events    stream
KEYS[4]  wake      list
KEYS[5..14] ready:0..ready:9 lists
ARGV[1]  events max length
then pairs: id, owner token
Returns: number of jobs released.
]]
local stateKey, leasesKey, eventsKey, wakeKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
--- @include "record"
--- @include "emit"
--- @include "wake"
--- @include "ready"

local maxLen = tonumber(ARGV[1])
local readyKeys = ready_keys(5)
local released = {}
-- Walk backwards so that LPUSH leaves the jobs in the order they were given.
for b = #ARGV - 1, 2, -2 do
  local id, token = ARGV[b], ARGV[b + 1]
  local r = rec_decode(redis.call('HGET', stateKey, id))
  if r and r.state == 'active' and r.owner == token then
    redis.call('ZREM', leasesKey, id)
    r.state, r.owner = 'queued', ''
    if r.attempts > 0 then r.attempts = r.attempts - 1 end
    redis.call('HSET', stateKey, id, rec_encode(r))
    redis.call('LPUSH', ready_key(readyKeys, r.priority), id)
    released[#released + 1] = id
  end
end
emit(eventsKey, maxLen, 'released', released)
if #released > 0 then wake(wakeKey) end
return #released
