--[[ extend: renew every lease a worker holds, in one call.
KEYS[1]  state     hash   id -> record (includes/record.lua)
KEYS[2]  leases    zset   id -> lease deadline ms
ARGV[1]  lease ms
then pairs: id, owner token
Returns: array of the ids whose lease is no longer this owner's.
]]
local stateKey, leasesKey = KEYS[1], KEYS[2]
--- @include "now"
--- @include "record"

local deadline = num_str(server_now() + tonumber(ARGV[1]))
local ids = {}
for b = 2, #ARGV, 2 do ids[#ids + 1] = ARGV[b] end
local raws = hmget_many(stateKey, ids)
local lost, renew = {}, {}
for i = 1, #ids do
  local r = rec_decode(raws[i])
  if r and r.state == 'active' and r.owner == ARGV[2 * i + 1] then
    renew[#renew + 1] = deadline
    renew[#renew + 1] = ids[i]
  else
    lost[#lost + 1] = ids[i]
  end
end
if #renew > 0 then
  for from = 1, #renew, 2000 do
    redis.call('ZADD', leasesKey, 'XX', unpack(renew, from, math.min(from + 1999, #renew)))
  end
end
return lost
