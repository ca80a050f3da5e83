--[[ cancel: stop a job that has not started (queued, scheduled or waiting to
be retried). A running job is asked to stop: noted in `cancels` and published
on the queue's cancel channel, which every worker of the queue follows; the
one that holds it aborts its handler and stores it cancelled (fail.lua, which
frees its group's slot). A grouped job cancelled here that ran before frees
its group's slot.
KEYS[1]  specs     hash   id -> spec JSON
KEYS[2]  state     hash   id -> record (includes/record.lua)
KEYS[3]  delayed   zset
KEYS[4]  retry     zset
KEYS[5]  cancelled zset   id -> cancelled-at ms
KEYS[6]  events    stream
KEYS[7]  legacy    hash   storage v1 jobs, converted when met (includes/legacy.lua)
KEYS[8]  adopted   set    v1 ids converted here
KEYS[9]  cancels   hash   id -> asked ms: running jobs asked to stop
KEYS[10] wake      list
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
ARGV[1]  events max length
ARGV[2]  id
ARGV[3]  the queue's cancel channel
Returns: a code (includes/codes.lua): done, cancelling (it runs: asked to
  stop), not_found, invalid_state (finished).
]]
local specsKey, stateKey, delayedKey, retryKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local cancelledKey, eventsKey, legacyKey, adoptedKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local cancelsKey, wakeKey, groupsKey, gjobsKey = KEYS[9], KEYS[10], KEYS[11], KEYS[12]
local greadyKey, gwaitKey, gindexKey, gofKey = KEYS[13], KEYS[14], KEYS[15], KEYS[16]
local dedupKey, dedupexpKey, dedupofKey = KEYS[17], KEYS[18], KEYS[19]
--- @include "codes"
--- @include "now"
--- @include "record"
--- @include "legacy"
--- @include "job"
--- @include "emit"
--- @include "ready"
--- @include "wake"
--- @include "groups"
--- @include "dedup"

local maxLen, id = tonumber(ARGV[1]), ARGV[2]
local readyKeys = ready_keys(20)
local G = { groups = groupsKey, gjobs = gjobsKey, gready = greadyKey, gwait = gwaitKey,
  gindex = gindexKey, gof = gofKey }
local D = { dedup = dedupKey, dedupexp = dedupexpKey, dedupof = dedupofKey }
local k = { specs = specsKey, state = stateKey, legacy = legacyKey, adopted = adoptedKey }
local r = job_read(k, id)
if not r then return CODE.not_found end
if r.state == 'queued' then
  -- LREM walks the list: fine for an operator action, never on a job's hot path.
  unqueue(readyKeys, r, id)
elseif r.state == 'scheduled' then
  redis.call('ZREM', delayedKey, id)
elseif r.state == 'retrying' then
  redis.call('ZREM', retryKey, id)
  -- It may have been asked to stop while it ran, and failed first.
  redis.call('HDEL', cancelsKey, id)
elseif r.state == 'active' then
  redis.call('HSET', cancelsKey, id, server_now())
  redis.call('PUBLISH', ARGV[3], id)
  return CODE.cancelling
else
  return CODE.invalid_state
end
-- A job that ran before holds its group's slot (a retry waits in a plain list).
if (r.attempts or 0) > 0 then
  if group_release(G, { id }) then wake(wakeKey) end
else
  group_drop(G, id)
end
local now = server_now()
dedup_release(D, { id }, now)
-- A fresh job's record starts here: retry() puts it back at its priority.
if not r.priority then
  local ok, spec = pcall(cjson.decode, redis.call('HGET', specsKey, id) or '')
  r.priority = ok and type(spec) == 'table' and tonumber(spec.priority) or 5
end
r.state, r.finishedAt = 'cancelled', now
redis.call('HSET', stateKey, id, rec_encode(r))
redis.call('ZADD', cancelledKey, now, id)
emit(eventsKey, maxLen, 'cancelled', { id })
return CODE.done
