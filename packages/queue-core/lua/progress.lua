--[[ progress: store a running job's progress (any JSON) and announce it.
KEYS[1]  jobs      hash   id -> record, newline, spec JSON (includes/record.lua)
KEYS[2]  progress  hash   id -> progress JSON
KEYS[3]  events    stream
ARGV[1]  events max length
ARGV[2]  id
ARGV[3]  owner token
ARGV[4]  progress JSON
Returns: 1 when stored, 0 when the lease is no longer this owner's.
]]
--- @include "record"

local maxLen, id, token = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local r = rec_read(KEYS[1], id)
if not r or r.state ~= 'active' or r.owner ~= token then return 0 end
redis.call('HSET', KEYS[2], id, ARGV[4])
if maxLen > 0 then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', maxLen, '*', 'event', 'progress', 'ids', id,
    'progress', ARGV[4])
end
return 1
