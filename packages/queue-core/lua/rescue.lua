--[[ rescue: return jobs whose lease expired (their worker died or hung) to the
head of their ready list, or dead-letter them after too many stalls. A
rescued grouped job keeps its group's slot; a dead-lettered one frees it.
KEYS[1]  specs     hash   id -> spec JSON
KEYS[2]  state     hash   id -> record (includes/record.lua)
KEYS[3]  leases    zset   id -> lease deadline ms
KEYS[4]  dead      zset
KEYS[5]  errors    hash
KEYS[6]  events    stream
KEYS[7]  wake      list
KEYS[8]  stats     hash   totals for metrics
KEYS[9]  legacy    hash   storage v1 jobs, converted when met (includes/legacy.lua)
KEYS[10] adopted   set    v1 ids converted here
KEYS[11] groups    hash   per-group counts and status (includes/groups.lua)
KEYS[12] gjobs     zset   queued grouped jobs
KEYS[13] gready    list   groups taking turns
KEYS[14] gwait     zset   groups held back by a limit
KEYS[15] gindex    zset   groups by name
KEYS[16] gof       hash   grouped job id -> gjobs member
KEYS[17] dedup     hash   dedup key -> "id|mode|until" (includes/dedup.lua)
KEYS[18] dedupexp  zset   dedup keys that expire -> when
KEYS[19] dedupof   hash   job id -> the unique dedup key it holds
KEYS[20..29] ready:0..ready:9 lists
ARGV[1]  max stalls (a job that stalls more often than this is dead)
ARGV[2]  max jobs per call
ARGV[3]  events max length
Returns: { rescued, dead, more } where more is 1 when the call stopped at its
  limit with expired leases left.
]]
local specsKey, stateKey, leasesKey, deadKey, errorsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local eventsKey, wakeKey, statsKey, legacyKey, adoptedKey = KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local groupsKey, gjobsKey, greadyKey = KEYS[11], KEYS[12], KEYS[13]
local gwaitKey, gindexKey, gofKey = KEYS[14], KEYS[15], KEYS[16]
local dedupKey, dedupexpKey, dedupofKey = KEYS[17], KEYS[18], KEYS[19]
local G = { groups = groupsKey, gjobs = gjobsKey, gready = greadyKey, gwait = gwaitKey,
  gindex = gindexKey, gof = gofKey }
local D = { dedup = dedupKey, dedupexp = dedupexpKey, dedupof = dedupofKey }
--- @include "now"
--- @include "record"
--- @include "legacy"
--- @include "emit"
--- @include "wake"
--- @include "ready"
--- @include "groups"
--- @include "dedup"

local maxStalls, limit, maxLen = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local readyKeys = ready_keys(20)
local k = { specs = specsKey, state = stateKey, legacy = legacyKey, adopted = adoptedKey }
local now = server_now()
local rescued, dead, ids, recs = {}, {}, {}, {}

local expired = redis.call('ZRANGEBYSCORE', leasesKey, '-inf', now, 'LIMIT', 0, limit)
local found = rec_read_many(k, expired)
for i = 1, #expired do
  local id, r = expired[i], found[i]
  if r and r.state == 'active' then
    r.stalls = r.stalls + 1
    r.owner = ''
    if r.stalls > maxStalls then
      r.state, r.finishedAt = 'dead', now
      redis.call('ZADD', deadKey, now, id)
      redis.call('HSET', errorsKey, id, cjson.encode({ message = 'job stalled ' .. r.stalls ..
        ' times: its worker stopped renewing the lease (crashed or blocked)',
        code = 'stalled', attempt = r.attempts, failedAt = now }))
      dead[#dead + 1] = id
    else
      r.state = 'queued'
      redis.call('LPUSH', ready_key(readyKeys, r.priority), id)
      rescued[#rescued + 1] = id
    end
    ids[#ids + 1], recs[#recs + 1] = id, r
  end
end
if #expired > 0 then call_sliced('ZREM', leasesKey, expired, 1000) end
if #ids > 0 then rec_write_many(stateKey, ids, recs) end

if #rescued + #dead > 0 then
  redis.call('HINCRBY', statsKey, 'stalled', #rescued + #dead)
  if #dead > 0 then redis.call('HINCRBY', statsKey, 'dead', #dead) end
end
emit(eventsKey, maxLen, 'stalled', rescued)
emit(eventsKey, maxLen, 'dead', dead)
if group_release(G, dead) or #rescued > 0 then wake(wakeKey) end
dedup_release(D, dead, now)
return { #rescued, #dead, #expired == limit and 1 or 0 }
