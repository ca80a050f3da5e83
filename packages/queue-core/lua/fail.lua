--[[ fail: record a batch of failed attempts; each is retried later or dead.
The worker decides retry or dead (it knows attempts, maxAttempts and whether
the error is permanent) and the backoff; the script checks the token.
KEYS[1]  state     hash   id -> record (includes/record.lua)
KEYS[2]  leases    zset
KEYS[3]  retry     zset   id -> retry-at ms
KEYS[4]  dead      zset   id -> dead-since ms
KEYS[5]  errors    hash   id -> last error JSON
KEYS[6]  events    stream
KEYS[7]  wake      list
KEYS[8]  stats     hash   totals for metrics
KEYS[9]  cancelled zset   id -> cancelled-at ms
KEYS[10] cancels   hash   running jobs asked to stop
KEYS[11] groups    hash   per-group counts and status (includes/groups.lua)
KEYS[12] gjobs     zset   queued grouped jobs
KEYS[13] gready    list   groups taking turns
KEYS[14] gwait     zset   groups held back by a limit
KEYS[15] gindex    zset   groups by name
KEYS[16] gof       hash   grouped job id -> gjobs member
KEYS[17] dedup     hash   dedup key -> "id|mode|until" (includes/dedup.lua)
KEYS[18] dedupexp  zset   dedup keys that expire -> when
KEYS[19] dedupof   hash   job id -> the unique dedup key it holds
ARGV[1]  events max length
ARGV[2]  number of jobs n
then n groups of 4: id, owner token, error JSON, retry delay ms (-1 = dead,
  -2 = cancelled: its run was stopped by a cancel)
A grouped job dead-lettered or cancelled frees its group's slot; one to be
retried keeps it.
Returns: array of the ids that were refused (lease taken over).
]]
local stateKey, leasesKey, retryKey, deadKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local errorsKey, eventsKey, wakeKey, statsKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local cancelledKey, cancelsKey = KEYS[9], KEYS[10]
local groupsKey, gjobsKey, greadyKey = KEYS[11], KEYS[12], KEYS[13]
local gwaitKey, gindexKey, gofKey = KEYS[14], KEYS[15], KEYS[16]
local dedupKey, dedupexpKey, dedupofKey = KEYS[17], KEYS[18], KEYS[19]
local G = { groups = groupsKey, gjobs = gjobsKey, gready = greadyKey, gwait = gwaitKey,
  gindex = gindexKey, gof = gofKey }
local D = { dedup = dedupKey, dedupexp = dedupexpKey, dedupof = dedupofKey }
--- @include "now"
--- @include "record"
--- @include "emit"
--- @include "wake"
--- @include "groups"
--- @include "dedup"

local maxLen, n = tonumber(ARGV[1]), tonumber(ARGV[2])
local now = server_now()
local refused, retrying, dead, cancelled, seen = {}, {}, {}, {}, {}
local ids, outIds, outRecs, errorArgs = {}, {}, {}, {}
for i = 1, n do ids[i] = ARGV[3 + (i - 1) * 4] end
local raws = hmget_many(stateKey, ids)

for i = 1, n do
  local b = 3 + (i - 1) * 4
  local id, token, err, delay = ARGV[b], ARGV[b + 1], ARGV[b + 2], tonumber(ARGV[b + 3])
  local r = rec_decode(raws[i])
  if not r or r.state ~= 'active' or r.owner ~= token or seen[id] then
    refused[#refused + 1] = id
  else
    seen[id] = true
    errorArgs[#errorArgs + 1] = id
    errorArgs[#errorArgs + 1] = err
    r.owner = ''
    if delay == -2 then
      r.state, r.finishedAt = 'cancelled', now
      redis.call('ZADD', cancelledKey, now, id)
      redis.call('HDEL', cancelsKey, id)
      cancelled[#cancelled + 1] = id
    elseif delay >= 0 then
      r.state, r.runAt = 'retrying', now + delay
      redis.call('ZADD', retryKey, r.runAt, id)
      retrying[#retrying + 1] = id
    else
      -- Asked to stop but dead first: the request is moot. (A job to be retried keeps
      -- it, so that its next attempt is stopped as the operator asked.)
      redis.call('HDEL', cancelsKey, id)
      r.state, r.finishedAt = 'dead', now
      redis.call('ZADD', deadKey, now, id)
      dead[#dead + 1] = id
    end
    outIds[#outIds + 1], outRecs[#outRecs + 1] = id, r
  end
end

if #outIds > 0 then
  call_sliced('ZREM', leasesKey, outIds, 1000)
  call_sliced('HSET', errorsKey, errorArgs, 2000)
  rec_write_many(stateKey, outIds, outRecs)
  redis.call('HINCRBY', statsKey, 'failed', #outIds)
  if #retrying > 0 then redis.call('HINCRBY', statsKey, 'retried', #retrying) end
  if #dead > 0 then redis.call('HINCRBY', statsKey, 'dead', #dead) end
end
emit(eventsKey, maxLen, 'retrying', retrying)
emit(eventsKey, maxLen, 'dead', dead)
emit(eventsKey, maxLen, 'cancelled', cancelled)
local freedDead = group_release(G, dead)
local freedCancelled = group_release(G, cancelled)
dedup_release(D, dead, now)
dedup_release(D, cancelled, now)
if freedDead or freedCancelled or #retrying > 0 then wake(wakeKey) end
return refused
