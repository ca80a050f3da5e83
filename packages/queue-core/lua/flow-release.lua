--[[ flow-release: apply a flow's decisions to jobs of this queue. Each is
idempotent: it acts only on a job in the state it expects, and answers the
state the job is in afterwards, so the caller knows what is left to do.
  run     waiting -> queued (all its parents are done)
  cancel  waiting -> cancelled, with the reason as its last error
  wait    cancelled -> waiting (a dead parent was retried)
  drop    waiting -> deleted (a flow whose creation never committed)
KEYS[1]  specs     hash   id -> spec JSON
KEYS[2]  state     hash   id -> record (includes/record.lua)
KEYS[3]  waiting   zset   id -> stored ms
KEYS[4]  cancelled zset   id -> cancelled-at ms
KEYS[5]  errors    hash   id -> last error JSON
KEYS[6]  flowjobs  hash   id -> "<flow id>|<node>"
KEYS[7]  events    stream
KEYS[8]  wake      list
KEYS[9]  heads     hash   id -> a big spec's metadata
KEYS[10..19] ready:0..ready:9 lists
ARGV[1]  events max length
ARGV[2]  number of jobs n
then n groups of 3: id, action, the reason as error JSON ('' but for cancel)
Returns: one state per job, after: its record's state, or '' when it has none.
]]
local specsKey, stateKey, waitingKey, cancelledKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local errorsKey, flowjobsKey, eventsKey, wakeKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local headsKey = KEYS[9]
--- @include "now"
--- @include "record"
--- @include "emit"
--- @include "wake"
--- @include "ready"

local maxLen, n = tonumber(ARGV[1]), tonumber(ARGV[2])
local readyKeys = ready_keys(10)
local now = server_now()
local out, queued, cancelled = {}, {}, {}
local ids = {}
for i = 1, n do ids[i] = ARGV[3 + (i - 1) * 3] end
-- Read at once and written at once: a fan-out releases a thousand jobs in one call.
local raws = hmget_many(stateKey, ids)
local written, writtenRecs, unwaited, byList, seen = {}, {}, {}, {}, {}
for i = 1, n do
  local b = 3 + (i - 1) * 3
  local id, action, reason = ARGV[b], ARGV[b + 1], ARGV[b + 2]
  -- The same job twice in one call: the second sees what the first made of it.
  local r = seen[id] or rec_decode(raws[i])
  local changed = true
  if r and action == 'run' and r.state == 'waiting' then
    r.state, r.runAt = 'queued', now
    unwaited[#unwaited + 1] = id
    local list = ready_key(readyKeys, r.priority)
    byList[list] = byList[list] or {}
    table.insert(byList[list], id)
    queued[#queued + 1] = id
  elseif r and action == 'cancel' and r.state == 'waiting' then
    r.state, r.finishedAt = 'cancelled', now
    unwaited[#unwaited + 1] = id
    redis.call('ZADD', cancelledKey, now, id)
    if reason ~= '' then redis.call('HSET', errorsKey, id, reason) end
    cancelled[#cancelled + 1] = id
  elseif r and action == 'wait' and r.state == 'cancelled' then
    r.state, r.finishedAt = 'waiting', 0
    redis.call('ZREM', cancelledKey, id)
    redis.call('ZADD', waitingKey, now, id)
    redis.call('HDEL', errorsKey, id)
  elseif r and action == 'drop' and r.state == 'waiting' then
    redis.call('ZREM', waitingKey, id)
    redis.call('HDEL', specsKey, id)
    redis.call('HDEL', headsKey, id)
    redis.call('HDEL', stateKey, id)
    redis.call('HDEL', flowjobsKey, id)
    r, changed = nil, false
  else
    changed = false
  end
  if r then seen[id] = r end
  if changed and not written[id] then
    written[id] = true
    writtenRecs[#writtenRecs + 1] = id
  end
  out[i] = r and r.state or ''
end
call_sliced('ZREM', waitingKey, unwaited, 1000)
for p = 1, 10 do
  local list = byList[readyKeys[p]]
  if list then call_sliced('RPUSH', readyKeys[p], list, 1000) end
end
local recs = {}
for i = 1, #writtenRecs do recs[i] = seen[writtenRecs[i]] end
rec_write_many(stateKey, writtenRecs, recs)
emit(eventsKey, maxLen, 'queued', queued)
emit(eventsKey, maxLen, 'cancelled', cancelled)
if #queued > 0 then wake(wakeKey) end
return out
