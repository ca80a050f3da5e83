--[[ trim: apply the retention of finished jobs (completed and cancelled):
delete those finished longer than keep ms ago and those beyond keep count,
oldest first, at most `limit` per call so that one call stays short. Dead jobs
are never trimmed: they wait for an operator.
KEYS[1]  specs     hash   id -> spec JSON
KEYS[2]  state     hash   id -> record (includes/record.lua)
KEYS[3]  completed zset   id -> finished ms
KEYS[4]  cancelled zset   id -> cancelled ms
KEYS[5]  results   hash
KEYS[6]  progress  hash
KEYS[7]  errors    hash
KEYS[8]  idem      hash
KEYS[9]  ikeys     hash
KEYS[10] legacy    hash   storage v1 jobs (a finished v1 job is deleted there)
KEYS[11] heads     hash   id -> a big spec's metadata
ARGV[1]  keep ms (0 = no age limit)
ARGV[2]  keep at most this many per state (0 = no cap)
ARGV[3]  max jobs per call
Returns: { trimmed, more } where more is 1 when the call stopped at its limit.
]]
local specsKey, stateKey, completedKey, cancelledKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local resultsKey, progressKey, errorsKey, idemKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local ikeysKey, legacyKey, headsKey = KEYS[9], KEYS[10], KEYS[11]
--- @include "now"
--- @include "record"
--- @include "remove-jobs"

local keepMs, keepCount, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local k = { specs = specsKey, state = stateKey, results = resultsKey, progress = progressKey,
  errors = errorsKey, idem = idemKey, ikeys = ikeysKey, legacy = legacyKey, heads = headsKey }
local now = server_now()
local trimmed, more = 0, 0

local function trim(index)
  local budget = limit - trimmed
  if budget <= 0 then more = 1 return end
  if keepMs > 0 then
    local old = redis.call('ZRANGEBYSCORE', index, '-inf', now - keepMs, 'LIMIT', 0, budget)
    remove_jobs(k, old)
    call_sliced('ZREM', index, old, 1000)
    trimmed = trimmed + #old
    if #old == budget then more = 1 return end
    budget = budget - #old
  end
  if keepCount > 0 then
    local excess = redis.call('ZCARD', index) - keepCount
    if excess > budget then excess, more = budget, 1 end
    if excess > 0 then
      local extra = redis.call('ZRANGE', index, 0, excess - 1)
      remove_jobs(k, extra)
      redis.call('ZREMRANGEBYRANK', index, 0, excess - 1)
      trimmed = trimmed + #extra
    end
  end
end

trim(completedKey)
trim(cancelledKey)
return { trimmed, more }
