--[[ progress: store a running job's progress (any JSON) and announce it.
KEYS[1]  state     hash   id -> record (includes/record.lua)
KEYS[2]  progress  hash   id -> progress JSON
KEYS[3]  events    stream
ARGV[1]  events max length
ARGV[2]  id
ARGV[3]  owner token
ARGV[4]  progress JSON
Returns: 1 when stored, 0 when the lease is no longer this owner's.
]]
local stateKey, progressKey, eventsKey = KEYS[1], KEYS[2], KEYS[3]
--- @include "record"

local maxLen, id, token = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local r = rec_decode(redis.call('HGET', stateKey, id))
if not r or r.state ~= 'active' or r.owner ~= token then return 0 end
redis.call('HSET', progressKey, id, ARGV[4])
if maxLen > 0 then
  redis.call('XADD', eventsKey, 'MAXLEN', '~', maxLen, '*', 'event', 'progress', 'ids', id,
    'progress', ARGV[4])
end
return 1
