--[[ enqueue: add one or many jobs, now, after a delay or at a time.
KEYS[1]  jobs      hash   id -> spec JSON
KEYS[2]  st        hash   id -> record (see includes/record.lua)
KEYS[3]  delayed   zset   id -> run-at ms
KEYS[4]  idem      hash   idempotency key -> id
KEYS[5]  ikeys     hash   id -> idempotency key
KEYS[6]  events    stream
KEYS[7]  wake      list
KEYS[8..17] ready:0..ready:9 lists
ARGV[1]  events max length (0 = no events)
ARGV[2]  number of jobs n
then n groups of 6: id, spec JSON, priority 0-9, delay ms, run-at ms (0 = none),
  idempotency key ('' = none)
Returns: flat array of n pairs: id (the existing one for a repeated key or
  id), created (1 new, 0 already there).
]]
--- @include "now"
--- @include "record"
--- @include "emit"
--- @include "wake"
--- @include "ready"

local maxLen = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local readyKeys = slice_keys(8, 10)
local now = server_now()
local out, queued, scheduled = {}, {}, {}

for i = 0, n - 1 do
  local b = 3 + i * 6
  local id, spec, priority = ARGV[b], ARGV[b + 1], tonumber(ARGV[b + 2])
  local delay, runAt, ikey = tonumber(ARGV[b + 3]), tonumber(ARGV[b + 4]), ARGV[b + 5]
  local existing = false
  if ikey ~= '' then
    local prior = redis.call('HGET', KEYS[4], ikey)
    if prior and redis.call('HEXISTS', KEYS[2], prior) == 1 then existing = prior end
  end
  if not existing and redis.call('HEXISTS', KEYS[2], id) == 1 then existing = id end

  if existing then
    out[#out + 1] = existing
    out[#out + 1] = 0
  else
    local at = 0
    if runAt > 0 then at = runAt elseif delay > 0 then at = now + delay end
    redis.call('HSET', KEYS[1], id, spec)
    if at > now then
      rec_write(KEYS[2], id, rec_new('scheduled', priority, at))
      redis.call('ZADD', KEYS[3], at, id)
      scheduled[#scheduled + 1] = id
    else
      rec_write(KEYS[2], id, rec_new('queued', priority, now))
      redis.call('RPUSH', ready_key(readyKeys, priority), id)
      queued[#queued + 1] = id
    end
    if ikey ~= '' then
      redis.call('HSET', KEYS[4], ikey, id)
      redis.call('HSET', KEYS[5], id, ikey)
    end
    out[#out + 1] = id
    out[#out + 1] = 1
  end
end

emit(KEYS[6], maxLen, 'queued', queued)
emit(KEYS[6], maxLen, 'scheduled', scheduled)
-- A new delayed job may be due before the time a sleeping worker waits for.
if #queued > 0 or #scheduled > 0 then wake(KEYS[7]) end
return out
