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
KEYS[9..18] ready:0..ready:9 lists
ARGV[1]  events max length
ARGV[2]  number of jobs n
then n groups of 3: id, action, the reason as error JSON ('' but for cancel)
Returns: one state per job, after: its record's state, or '' when it has none.
]]
local specsKey, stateKey, waitingKey, cancelledKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local errorsKey, flowjobsKey, eventsKey, wakeKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
--- @include "now"
--- @include "record"
--- @include "emit"
--- @include "wake"
--- @include "ready"

local maxLen, n = tonumber(ARGV[1]), tonumber(ARGV[2])
local readyKeys = ready_keys(9)
local now = server_now()
local out, queued, cancelled = {}, {}, {}
for i = 1, n do
  local b = 3 + (i - 1) * 3
  local id, action, reason = ARGV[b], ARGV[b + 1], ARGV[b + 2]
  local r = rec_decode(redis.call('HGET', stateKey, id))
  if r and action == 'run' and r.state == 'waiting' then
    r.state, r.runAt = 'queued', now
    redis.call('ZREM', waitingKey, id)
    redis.call('RPUSH', ready_key(readyKeys, r.priority), id)
    queued[#queued + 1] = id
  elseif r and action == 'cancel' and r.state == 'waiting' then
    r.state, r.finishedAt = 'cancelled', now
    redis.call('ZREM', waitingKey, id)
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
    redis.call('HDEL', stateKey, id)
    redis.call('HDEL', flowjobsKey, id)
    r = nil
  end
  if r then redis.call('HSET', stateKey, id, rec_encode(r)) end
  out[i] = r and r.state or ''
end
emit(eventsKey, maxLen, 'queued', queued)
emit(eventsKey, maxLen, 'cancelled', cancelled)
if #queued > 0 then wake(wakeKey) end
return out
