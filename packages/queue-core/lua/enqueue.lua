--[[ enqueue: add one or many jobs, now, after a delay or at a time.
KEYS[1]  jobs      hash   id -> record, newline, spec JSON (includes/record.lua)
KEYS[2]  delayed   zset   id -> run-at ms
KEYS[3]  idem      hash   idempotency key -> id
KEYS[4]  ikeys     hash   id -> idempotency key
KEYS[5]  events    stream
KEYS[6]  wake      list
KEYS[7..16] ready:0..ready:9 lists
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
local readyKeys = slice_keys(7, 10)
local now = server_now()
local out, queued, scheduled = {}, {}, {}
local jobArgs, delayedArgs, idemArgs, ikeyArgs, byList = {}, {}, {}, {}, {}

local ids = {}
for i = 1, n do ids[i] = ARGV[3 + (i - 1) * 6] end
local present = rec_read_many(KEYS[1], ids)
-- Ids and keys created earlier in this same batch count as existing too.
local madeIds, madeKeys = {}, {}

for i = 1, n do
  local b = 3 + (i - 1) * 6
  local id, spec, priority = ARGV[b], ARGV[b + 1], tonumber(ARGV[b + 2])
  local delay, runAt, ikey = tonumber(ARGV[b + 3]), tonumber(ARGV[b + 4]), ARGV[b + 5]
  local existing = false
  if ikey ~= '' then
    existing = madeKeys[ikey] or false
    if not existing then
      local prior = redis.call('HGET', KEYS[3], ikey)
      if prior and redis.call('HEXISTS', KEYS[1], prior) == 1 then existing = prior end
    end
  end
  if not existing and (present[i] or madeIds[id]) then existing = id end

  if existing then
    out[#out + 1] = existing
    out[#out + 1] = 0
  else
    madeIds[id] = true
    local at = 0
    if runAt > 0 then at = runAt elseif delay > 0 then at = now + delay end
    jobArgs[#jobArgs + 1] = id
    if at > now then
      jobArgs[#jobArgs + 1] = rec_encode(rec_new('scheduled', priority, at, spec))
      delayedArgs[#delayedArgs + 1] = at
      delayedArgs[#delayedArgs + 1] = id
      scheduled[#scheduled + 1] = id
    else
      jobArgs[#jobArgs + 1] = rec_encode(rec_new('queued', priority, now, spec))
      local key = ready_key(readyKeys, priority)
      byList[key] = byList[key] or {}
      table.insert(byList[key], id)
      queued[#queued + 1] = id
    end
    if ikey ~= '' then
      madeKeys[ikey] = id
      idemArgs[#idemArgs + 1] = ikey
      idemArgs[#idemArgs + 1] = id
      ikeyArgs[#ikeyArgs + 1] = id
      ikeyArgs[#ikeyArgs + 1] = ikey
    end
    out[#out + 1] = id
    out[#out + 1] = 1
  end
end

call_sliced('HSET', KEYS[1], jobArgs, 2000)
call_sliced('ZADD', KEYS[2], delayedArgs, 2000)
call_sliced('HSET', KEYS[3], idemArgs, 2000)
call_sliced('HSET', KEYS[4], ikeyArgs, 2000)
-- Walk the lists in priority order so that the RPUSHes are deterministic.
for p = 1, 10 do
  local list = byList[readyKeys[p]]
  if list then call_sliced('RPUSH', readyKeys[p], list, 1000) end
end

emit(KEYS[5], maxLen, 'queued', queued)
emit(KEYS[5], maxLen, 'scheduled', scheduled)
-- A new delayed job may be due before the time a sleeping worker waits for.
if #queued > 0 or #scheduled > 0 then wake(KEYS[6]) end
return out
