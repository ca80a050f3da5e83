--[[ remove: delete a job that is not running, with every trace of it (a
grouped job waiting for a retry gives its group's slot back).
KEYS[1]  specs     hash   id -> spec JSON
KEYS[2]  state     hash   id -> record (includes/record.lua)
KEYS[3]  results   hash
KEYS[4]  progress  hash
KEYS[5]  errors    hash
KEYS[6]  idem      hash
KEYS[7]  ikeys     hash
KEYS[8]  delayed   zset
KEYS[9]  retry     zset
KEYS[10] completed zset
KEYS[11] dead      zset
KEYS[12] cancelled zset
KEYS[13] events    stream
KEYS[14] legacy    hash   storage v1 jobs, converted when met (includes/legacy.lua)
KEYS[15] adopted   set    v1 ids converted here
KEYS[16] heads     hash   id -> a big spec's metadata
KEYS[17] wake      list
KEYS[18] groups    hash   per-group counts and status (includes/groups.lua)
KEYS[19] gjobs     zset   queued grouped jobs
KEYS[20] gready    list   groups taking turns
KEYS[21] gwait     zset   groups held back by a limit
KEYS[22] gindex    zset   groups by name
KEYS[23] gof       hash   grouped job id -> gjobs member
KEYS[24] dedup     hash   dedup key -> "id|mode|until" (includes/dedup.lua)
KEYS[25] dedupexp  zset   dedup keys that expire -> when
KEYS[26] dedupof   hash   job id -> the unique dedup key it holds
KEYS[27..36] ready:0..ready:9 lists
ARGV[1]  events max length
ARGV[2]  id
Returns: a code (includes/codes.lua): done, not_found, running.
]]
local specsKey, stateKey, resultsKey, progressKey, errorsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local idemKey, ikeysKey, delayedKey, retryKey, completedKey = KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local deadKey, cancelledKey, eventsKey, legacyKey, adoptedKey = KEYS[11], KEYS[12], KEYS[13], KEYS[14], KEYS[15]
local headsKey, wakeKey, groupsKey, gjobsKey, greadyKey = KEYS[16], KEYS[17], KEYS[18], KEYS[19], KEYS[20]
local gwaitKey, gindexKey, gofKey = KEYS[21], KEYS[22], KEYS[23]
local dedupKey, dedupexpKey, dedupofKey = KEYS[24], KEYS[25], KEYS[26]
--- @include "codes"
--- @include "now"
--- @include "record"
--- @include "legacy"
--- @include "job"
--- @include "emit"
--- @include "ready"
--- @include "remove-jobs"
--- @include "wake"
--- @include "groups"
--- @include "dedup"

local maxLen, id = tonumber(ARGV[1]), ARGV[2]
local readyKeys = ready_keys(27)
local G = { groups = groupsKey, gjobs = gjobsKey, gready = greadyKey, gwait = gwaitKey,
  gindex = gindexKey, gof = gofKey }
local D = { dedup = dedupKey, dedupexp = dedupexpKey, dedupof = dedupofKey }
local k = { specs = specsKey, state = stateKey, results = resultsKey, progress = progressKey,
  errors = errorsKey, idem = idemKey, ikeys = ikeysKey, legacy = legacyKey, adopted = adoptedKey,
  heads = headsKey }
local r = job_read(k, id)
if not r then
  -- A value that is no record (written by hand, say) is removed all the same.
  if redis.call('HEXISTS', stateKey, id) == 0 then return CODE.not_found end
  r = rec_new('unknown', nil, 0)
end
if r.state == 'active' then return CODE.running end
local index = { scheduled = delayedKey, retrying = retryKey, completed = completedKey,
  dead = deadKey, cancelled = cancelledKey }
if r.state == 'queued' then
  unqueue(readyKeys, r, id)
elseif index[r.state] then
  redis.call('ZREM', index[r.state], id)
end
-- A grouped job that ran before and is not finished holds its group's slot.
local done = r.state == 'completed' or r.state == 'dead' or r.state == 'cancelled'
if (r.attempts or 0) > 0 and not done then
  if group_release(G, { id }) then wake(wakeKey) end
else
  group_drop(G, id)
end
dedup_release(D, { id }, server_now())
remove_jobs(k, { id })
emit(eventsKey, maxLen, 'removed', { id })
return CODE.done
