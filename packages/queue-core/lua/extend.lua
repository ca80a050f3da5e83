--[[ extend: renew every lease a worker holds, in one call.
KEYS[1]  jobs      hash   id -> record, newline, spec JSON (includes/record.lua)
KEYS[2]  leases    zset   id -> lease deadline ms
ARGV[1]  lease ms
then pairs: id, owner token
Returns: array of the ids whose lease is no longer this owner's.
]]
--- @include "now"
--- @include "record"

local deadline = server_now() + tonumber(ARGV[1])
local lost = {}
for b = 2, #ARGV, 2 do
  local id, token = ARGV[b], ARGV[b + 1]
  local r = rec_read(KEYS[1], id)
  if r and r.state == 'active' and r.owner == token then
    redis.call('ZADD', KEYS[2], 'XX', deadline, id)
  else
    lost[#lost + 1] = id
  end
end
return lost
