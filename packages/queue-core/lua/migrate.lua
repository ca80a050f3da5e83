--[[ migrate: convert storage v1 jobs (one `jobs` field each: record, newline,
spec) to v2 (the spec in `specs` once, the record in `state`). Idempotent, and
safe beside running workers: a job already converted is left alone, and each
call is atomic. The caller reads ids from the legacy hash with HSCAN and
indexes them before converting them (so an old id still finds its queue).
KEYS[1]  meta      hash   format = 2 once nothing is left in legacy
KEYS[2]  specs     hash   id -> spec JSON
KEYS[3]  state     hash   id -> record (includes/record.lua)
KEYS[4]  legacy    hash   storage v1 jobs
KEYS[5]  adopted   set    v1 ids converted on first touch, not yet indexed
ARGV[1]  format number to record when done
ARGV[2..] the ids to convert
Returns: { converted, left } where left is what the legacy hash still holds.
]]
local metaKey, specsKey, stateKey, legacyKey, adoptedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
--- @include "record"
--- @include "legacy"

local k = { specs = specsKey, state = stateKey, legacy = legacyKey, adopted = adoptedKey }
local ids = {}
for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
local converted = legacy_adopt(k, ids)
-- The caller indexed these before this call: they need no second look.
if #ids > 0 then call_sliced('SREM', adoptedKey, ids, 1000) end
local left = redis.call('HLEN', legacyKey)
if left == 0 then redis.call('HSET', metaKey, 'format', ARGV[1]) end
return { converted, left }
