--[[ enqueue: add one or many jobs, now, after a delay or at a time.
A job is written once: its spec to `specs`, never rewritten while it lives.
A generated id due now gets no record (it waits in its ready list); a
scheduled job gets its record (it must remember its priority and due time),
and so does a caller-chosen id, whose record is what says it exists. A big
spec never passes through Lua (Lua copies and interns every string): the
caller writes it (and its head: the metadata without the payload) with HSETNX
in the same MULTI, before this script, and gives '' here; a job refused then
has both deleted again when they were this call's writes.
KEYS[1]  specs     hash   id -> spec JSON
KEYS[2]  state     hash   id -> record (includes/record.lua)
KEYS[3]  delayed   zset   id -> run-at ms
KEYS[4]  idem      hash   idempotency key -> id, or "id|fingerprint" 
KEYS[5]  ikeys     hash   id -> idempotency key
KEYS[6]  events    stream
KEYS[7]  wake      list
KEYS[8]  legacy    hash   storage v1 jobs (an id there exists too)
KEYS[9]  heads     hash   id -> a big spec's metadata (written beside it, by the caller)
KEYS[10..19] ready:0..ready:9 lists
ARGV[1]  events max length (0 = no events)
ARGV[2]  number of jobs n
then n groups of 7: id, spec JSON ('' = written already by the caller, see
  above), priority 0-9, delay ms, run-at ms (0 = none), check ('1' when the id
  may exist already: a caller-chosen id; '0' for a generated one, which is
  unique), idempotency key ('' = none), fingerprint of what the key stands for
  ('' = none: any repeat of the key is the same job)
Returns: flat array of n pairs: id (the existing one for a repeated key or
  id), created (1 new, 0 already there, -1 the key was given before with
  another fingerprint: refused, nothing written for this job).
]]
local specsKey, stateKey, delayedKey = KEYS[1], KEYS[2], KEYS[3]
local idemKey, ikeysKey, eventsKey, wakeKey, legacyKey = KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local headsKey = KEYS[9]
--- @include "now"
--- @include "record"
--- @include "emit"
--- @include "wake"
--- @include "ready"

local maxLen = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local readyKeys = ready_keys(10)
local now = server_now()
local out, queued, scheduled = {}, {}, {}
local specArgs, stateArgs, delayedArgs, idemArgs, ikeyArgs, byList = {}, {}, {}, {}, {}, {}
local unwritten = {}
-- Ids and keys created earlier in this same batch count as existing too.
local madeIds, madeKeys = {}, {}

-- Whether a chosen id names a job of this storage: by its record, which every
-- chosen id has from its enqueue on (its spec may be this call's own HSETNX).
local function chosen_exists(id)
  return madeIds[id] or redis.call('HEXISTS', stateKey, id) == 1
end

-- Whether any id names a job (an idempotency key's job, say), v1 ones too.
local function exists(id)
  return chosen_exists(id) or redis.call('HEXISTS', specsKey, id) == 1
    or redis.call('HEXISTS', legacyKey, id) == 1
end

for i = 1, n do
  local b = 3 + (i - 1) * 8
  local id, spec, priority = ARGV[b], ARGV[b + 1], tonumber(ARGV[b + 2])
  local delay, runAt = tonumber(ARGV[b + 3]), tonumber(ARGV[b + 4])
  local check, ikey, fp = ARGV[b + 5], ARGV[b + 6], ARGV[b + 7]
  local existing, reused = false, false
  if ikey ~= '' then
    local prior = madeKeys[ikey] or redis.call('HGET', idemKey, ikey)
    if prior then
      local cut = string.find(prior, '|', 1, true)
      local priorId = cut and string.sub(prior, 1, cut - 1) or prior
      local priorFp = cut and string.sub(prior, cut + 1) or ''
      if madeKeys[ikey] or exists(priorId) then
        existing = priorId
        reused = fp ~= '' and priorFp ~= '' and fp ~= priorFp
      end
    end
  end
  local inV2 = check == '1' and chosen_exists(id)
  if not existing and (inV2 or (check == '1' and redis.call('HEXISTS', legacyKey, id) == 1)) then
    existing = id
  end

  if existing then
    out[#out + 1] = existing
    out[#out + 1] = reused and -1 or 0
    -- The caller's HSETNX wrote this spec unless the id had one of its own.
    if spec == '' and not inV2 then unwritten[#unwritten + 1] = id end
  else
    madeIds[id] = true
    local at = 0
    if runAt > 0 then at = runAt elseif delay > 0 then at = now + delay end
    if spec ~= '' then
      specArgs[#specArgs + 1] = id
      specArgs[#specArgs + 1] = spec
    end
    if at > now then
      stateArgs[#stateArgs + 1] = id
      stateArgs[#stateArgs + 1] = rec_encode(rec_new('scheduled', priority, at))
      delayedArgs[#delayedArgs + 1] = at
      delayedArgs[#delayedArgs + 1] = id
      scheduled[#scheduled + 1] = id
    else
      if check == '1' then
        stateArgs[#stateArgs + 1] = id
        stateArgs[#stateArgs + 1] = rec_encode(rec_new('queued', priority, 0))
      end
      local key = ready_key(readyKeys, priority)
      byList[key] = byList[key] or {}
      table.insert(byList[key], id)
      queued[#queued + 1] = id
    end
    if ikey ~= '' then
      local value = fp ~= '' and (id .. '|' .. fp) or id
      madeKeys[ikey] = value
      idemArgs[#idemArgs + 1] = ikey
      idemArgs[#idemArgs + 1] = value
      ikeyArgs[#ikeyArgs + 1] = id
      ikeyArgs[#ikeyArgs + 1] = ikey
    end
    out[#out + 1] = id
    out[#out + 1] = 1
  end
end

call_sliced('HSET', specsKey, specArgs, 2000)
call_sliced('HDEL', specsKey, unwritten, 1000)
call_sliced('HDEL', headsKey, unwritten, 1000)
call_sliced('HSET', stateKey, stateArgs, 2000)
call_sliced('ZADD', delayedKey, delayedArgs, 2000)
call_sliced('HSET', idemKey, idemArgs, 2000)
call_sliced('HSET', ikeysKey, ikeyArgs, 2000)
-- Walk the lists in priority order so that the RPUSHes are deterministic.
for p = 1, 10 do
  local list = byList[readyKeys[p]]
  if list then call_sliced('RPUSH', readyKeys[p], list, 1000) end
end

emit(eventsKey, maxLen, 'queued', queued)
emit(eventsKey, maxLen, 'scheduled', scheduled)
-- A new delayed job may be due before the time a sleeping worker waits for.
if #queued > 0 or #scheduled > 0 then wake(wakeKey) end
return out
