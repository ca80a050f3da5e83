--[[ cancel: stop a job that has not started (queued, scheduled or waiting to
be retried). A running job is asked to stop: noted in `cancels` and published
on the queue's cancel channel, which every worker of the queue follows; the
one that holds it aborts its handler and stores it cancelled (fail.lua).
KEYS[1]  specs     hash   id -> spec JSON
KEYS[2]  state     hash   id -> record (includes/record.lua)
KEYS[3]  delayed   zset
KEYS[4]  retry     zset
KEYS[5]  cancelled zset   id -> cancelled-at ms
KEYS[6]  events    stream
KEYS[7]  legacy    hash   storage v1 jobs, converted when met (includes/legacy.lua)
KEYS[8]  adopted   set    v1 ids converted here
KEYS[9]  cancels   hash   id -> asked ms: running jobs asked to stop
KEYS[10..19] ready:0..ready:9 lists
ARGV[1]  events max length
ARGV[2]  id
ARGV[3]  the queue's cancel channel
Returns: a code (includes/codes.lua): done, cancelling (it runs: asked to
  stop), not_found, invalid_state (finished).
]]
local specsKey, stateKey, delayedKey, retryKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local cancelledKey, eventsKey, legacyKey, adoptedKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local cancelsKey = KEYS[9]
--- @include "codes"
--- @include "now"
--- @include "record"
--- @include "legacy"
--- @include "job"
--- @include "emit"
--- @include "ready"

local maxLen, id = tonumber(ARGV[1]), ARGV[2]
local readyKeys = ready_keys(10)
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
elseif r.state == 'active' then
  redis.call('HSET', cancelsKey, id, server_now())
  redis.call('PUBLISH', ARGV[3], id)
  return CODE.cancelling
else
  return CODE.invalid_state
end
local now = server_now()
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
