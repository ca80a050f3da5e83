--[[ recover: return jobs whose lease expired (their worker died) to the head
of their ready list, or dead-letter them after too many stalls; then apply the
retention of finished jobs, so an idle queue is trimmed too.
KEYS[1]  jobs      hash   id -> record, newline, spec JSON (includes/record.lua)
KEYS[2]  leases    zset   id -> lease deadline ms
KEYS[3]  dead      zset
KEYS[4]  errors    hash
KEYS[5]  events    stream
KEYS[6]  wake      list
KEYS[7]  completed zset
KEYS[8]  cancelled zset
KEYS[9]  results   hash
KEYS[10] progress  hash
KEYS[11] idem      hash
KEYS[12] ikeys     hash
KEYS[13..22] ready:0..ready:9 lists
KEYS[23] stats     hash   totals for metrics
ARGV[1]  max stalls (a job that stalls more often than this is dead)
ARGV[2]  max jobs per call
ARGV[3]  events max length
ARGV[4]  keep finished ms (completed and cancelled)
ARGV[5]  keep at most this many finished jobs per state (0 = no cap)
Returns: { recovered, dead, trimmed }
]]
--- @include "now"
--- @include "record"
--- @include "emit"
--- @include "wake"
--- @include "ready"
--- @include "remove-job"
--- @include "trim"

local maxStalls, limit, maxLen = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local keepMs, keepCount = tonumber(ARGV[4]), tonumber(ARGV[5])
local readyKeys = slice_keys(13, 10)
local k = { jobs = KEYS[1], results = KEYS[9], progress = KEYS[10],
  errors = KEYS[4], idem = KEYS[11], ikeys = KEYS[12] }
local now = server_now()
local recovered, dead = {}, {}

local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, limit)
for i = 1, #expired do
  local id = expired[i]
  local r = rec_read(KEYS[1], id)
  if r and r.state == 'active' then
    r.stalls = r.stalls + 1
    r.owner = ''
    if r.stalls > maxStalls then
      r.state, r.finishedAt = 'dead', now
      redis.call('ZADD', KEYS[3], now, id)
      redis.call('HSET', KEYS[4], id, cjson.encode({ message = 'job stalled ' .. r.stalls ..
        ' times: its worker stopped renewing the lease (crashed or blocked)',
        code = 'stalled', attempt = r.attempts, failedAt = now }))
      dead[#dead + 1] = id
    else
      r.state = 'queued'
      redis.call('LPUSH', ready_key(readyKeys, r.priority), id)
      recovered[#recovered + 1] = id
    end
    rec_write(KEYS[1], id, r)
  end
end
if #expired > 0 then redis.call('ZREM', KEYS[2], unpack(expired)) end

local trimmed = 0
if keepMs > 0 then
  trimmed = trim_finished(k, KEYS[7], now, keepMs, keepCount, limit)
    + trim_finished(k, KEYS[8], now, keepMs, keepCount, limit)
end

if #recovered + #dead > 0 then
  redis.call('HINCRBY', KEYS[23], 'stalled', #recovered + #dead)
  if #dead > 0 then redis.call('HINCRBY', KEYS[23], 'dead', #dead) end
end
emit(KEYS[5], maxLen, 'stalled', recovered)
emit(KEYS[5], maxLen, 'dead', dead)
if #recovered > 0 then wake(KEYS[6]) end
return { #recovered, #dead, trimmed }
