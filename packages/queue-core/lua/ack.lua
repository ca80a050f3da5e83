--[[ ack: complete a batch of jobs, each with its owner token and result.
A job whose lease was taken over (token differs or job not active) is refused.
Kept jobs change only their small record; the spec stays where it was.
KEYS[1]  specs     hash   id -> spec JSON
KEYS[2]  state     hash   id -> record (includes/record.lua)
KEYS[3]  leases    zset
KEYS[4]  completed zset   id -> finished ms
KEYS[5]  results   hash   id -> result JSON
KEYS[6]  progress  hash
KEYS[7]  errors    hash
KEYS[8]  idem      hash
KEYS[9]  ikeys     hash
KEYS[10] events    stream
KEYS[11] stats     hash   totals for metrics
KEYS[12] heads     hash   id -> a big spec's metadata
KEYS[13] wake      list
KEYS[14] groups    hash   per-group counts and status (includes/groups.lua)
KEYS[15] gjobs     zset   queued grouped jobs
KEYS[16] gready    list   groups taking turns
KEYS[17] gwait     zset   groups held back by a limit
KEYS[18] gindex    zset   groups by name
KEYS[19] gof       hash   grouped job id -> gjobs member
KEYS[20] dedup     hash   dedup key -> "id|mode|until" (includes/dedup.lua)
KEYS[21] dedupexp  zset   dedup keys that expire -> when
KEYS[22] dedupof   hash   job id -> the unique dedup key it holds
KEYS[23] cancels   hash   running jobs asked to stop (cancel.lua)
ARGV[1]  events max length
ARGV[2]  keep completed ms (0 = remove the job as soon as it completes)
ARGV[3]  number of jobs n
then n groups of 3: id, owner token, result JSON ('' = none)
Completing a grouped job frees its group's slot (includes/groups.lua).
Returns: array of the ids that were refused.
]]
local specsKey, stateKey, leasesKey, completedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local resultsKey, progressKey, errorsKey, idemKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local ikeysKey, eventsKey, statsKey, headsKey = KEYS[9], KEYS[10], KEYS[11], KEYS[12]
local wakeKey = KEYS[13]
local groupsKey, gjobsKey, greadyKey = KEYS[14], KEYS[15], KEYS[16]
local gwaitKey, gindexKey, gofKey = KEYS[17], KEYS[18], KEYS[19]
local dedupKey, dedupexpKey, dedupofKey = KEYS[20], KEYS[21], KEYS[22]
local cancelsKey = KEYS[23]
local G = { groups = groupsKey, gjobs = gjobsKey, gready = greadyKey, gwait = gwaitKey,
  gindex = gindexKey, gof = gofKey }
local D = { dedup = dedupKey, dedupexp = dedupexpKey, dedupof = dedupofKey }
--- @include "now"
--- @include "record"
--- @include "emit"
--- @include "remove-jobs"
--- @include "wake"
--- @include "groups"
--- @include "dedup"

local maxLen, keepMs, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local now = server_now()
-- A string once: redis.call turns a Lua number into text with a sprintf per argument.
local nowStr = num_str(now)
local refused, done, doneRecs, results, completedArgs, seen = {}, {}, {}, {}, {}, {}

local ids = {}
for i = 1, n do ids[i] = ARGV[1 + i * 3] end
local raws = hmget_many(stateKey, ids)
for i = 1, n do
  local b = 1 + i * 3
  local id, token, result = ARGV[b], ARGV[b + 1], ARGV[b + 2]
  local r = rec_decode(raws[i])
  -- The same id twice in one batch is refused the second time.
  if not r or r.state ~= 'active' or r.owner ~= token or seen[id] then
    refused[#refused + 1] = id
  else
    seen[id] = true
    r.state, r.owner, r.finishedAt = 'completed', '', nowStr
    done[#done + 1], doneRecs[#doneRecs + 1] = id, r
    if result ~= '' then
      results[#results + 1] = id
      results[#results + 1] = result
    end
    completedArgs[#completedArgs + 1] = nowStr
    completedArgs[#completedArgs + 1] = id
  end
end

if #done > 0 then
  if group_release(G, done) then wake(wakeKey) end
  dedup_release(D, done, now)
  -- A job asked to stop that completed first: the request is moot. The hash is empty
  -- but while an operator's cancel is on its way, so this costs one HLEN a call.
  if redis.call('HLEN', cancelsKey) > 0 then call_sliced('HDEL', cancelsKey, done, 1000) end
  call_sliced('ZREM', leasesKey, done, 1000)
  if keepMs > 0 then
    rec_write_many(stateKey, done, doneRecs)
    call_sliced('HSET', resultsKey, results, 2000)
    call_sliced('ZADD', completedKey, completedArgs, 2000)
  else
    remove_jobs({ specs = specsKey, state = stateKey, results = resultsKey,
      progress = progressKey, errors = errorsKey, idem = idemKey, ikeys = ikeysKey,
      heads = headsKey }, done)
  end
  redis.call('HINCRBY', statsKey, 'completed', #done)
end

emit(eventsKey, maxLen, 'completed', done)
return refused
