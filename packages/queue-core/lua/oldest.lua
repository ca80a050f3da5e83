--[[ oldest: when the job at the head of each ready list became due, for the
age of the oldest waiting job. A head that never ran has no record: its spec's
createdAt (the first field of every spec this code writes) is read instead.
KEYS[1]  specs     hash   id -> spec JSON
KEYS[2]  state     hash   id -> record (includes/record.lua)
KEYS[3..12] ready:0..ready:9 lists
Returns: { now, due1, due2, ... } one due time (ms) per non-empty list.
]]
local specsKey, stateKey = KEYS[1], KEYS[2]
--- @include "now"
--- @include "record"
--- @include "ready"

local out = { server_now() }
for _, key in ipairs(ready_keys(3)) do
  local id = redis.call('LINDEX', key, 0)
  if id then
    local r = rec_decode(redis.call('HGET', stateKey, id))
    local due = r and tonumber(r.runAt) or 0
    if due == 0 then
      local spec = redis.call('HGET', specsKey, id)
      due = spec and tonumber(string.match(spec, '^{"createdAt":(%d+)')) or 0
    end
    if due > 0 then out[#out + 1] = due end
  end
end
return out
