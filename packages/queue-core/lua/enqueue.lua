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
KEYS[10] meta      hash   `groups` flag: the queue has had grouped jobs
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
ARGV[1]  events max length (0 = no events)
ARGV[2]  number of jobs n
then n groups of 12: id, spec JSON ('' = written already by the caller, see
  above), priority 0-9, delay ms, run-at ms (0 = none), check ('1' when the id
  may exist already: a caller-chosen id; '0' for a generated one, which is
  unique), idempotency key ('' = none), fingerprint of what the key stands for
  ('' = none: any repeat of the key is the same job), group ('' = none: the
  job waits in a ready list; else in its group, includes/groups.lua), dedup
  key ('' = none), dedup mode (unique, throttle, debounce), dedup ttl ms (for
  unique: how long after the job is due its key holds at most, a safety bound
  in case the job is lost)
Returns: flat array of n pairs: id (the existing one for a repeated key or
  id), created (1 new, 0 already there, -1 the key was given before with
  another fingerprint: refused, nothing written for this job; 2 a dedup key
  matched a live job: its id, nothing written; 3 that job was a debounced one,
  its spec replaced by this one's and its run time pushed to now + ttl).
]]
local specsKey, stateKey, delayedKey = KEYS[1], KEYS[2], KEYS[3]
local idemKey, ikeysKey, eventsKey, wakeKey, legacyKey = KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local headsKey, metaKey, groupsKey, gjobsKey, greadyKey = KEYS[9], KEYS[10], KEYS[11], KEYS[12], KEYS[13]
local gwaitKey, gindexKey, gofKey, dedupKey, dedupexpKey = KEYS[14], KEYS[15], KEYS[16], KEYS[17], KEYS[18]
local dedupofKey = KEYS[19]
--- @include "now"
--- @include "record"
--- @include "emit"
--- @include "wake"
--- @include "ready"
--- @include "groups"
--- @include "dedup"

local maxLen = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local readyKeys = ready_keys(20)
local G = { groups = groupsKey, gjobs = gjobsKey, gready = greadyKey, gwait = gwaitKey,
  gindex = gindexKey, gof = gofKey }
local grouped = false
local D = { dedup = dedupKey, dedupexp = dedupexpKey, dedupof = dedupofKey, specs = specsKey,
  state = stateKey }
local dedupTrimmed, madeDedup = false, {}

-- A repeat of a debounced job that waits for its run: this spec (or the one
-- the caller wrote for the new id) replaces its own, and it runs at `at`,
-- when its key lapses too.
local function debounce(holder, r, o)
  local id, spec, at = o.id, o.spec, o.at
  dedup_take(D, o.key, holder, 'debounce', at, o.now)
  if spec == '' then
    spec = redis.call('HGET', specsKey, id)
    local head = redis.call('HGET', headsKey, id)
    if head then redis.call('HSET', headsKey, holder, head) else redis.call('HDEL', headsKey, holder) end
  else
    redis.call('HDEL', headsKey, holder)
  end
  redis.call('HSET', specsKey, holder, spec)
  r.runAt = at
  redis.call('HSET', stateKey, holder, rec_encode(r))
  redis.call('ZADD', delayedKey, at, holder)
end
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
  local b = 3 + (i - 1) * 12
  local id, spec, priority = ARGV[b], ARGV[b + 1], tonumber(ARGV[b + 2])
  local delay, runAt = tonumber(ARGV[b + 3]), tonumber(ARGV[b + 4])
  local check, ikey, fp, group = ARGV[b + 5], ARGV[b + 6], ARGV[b + 7], ARGV[b + 8]
  local dkey, dmode, dttl = ARGV[b + 9], ARGV[b + 10], tonumber(ARGV[b + 11])
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

  local code = reused and -1 or 0
  if not existing and dkey ~= '' then
    if not dedupTrimmed then
      dedup_trim(D, now)
      dedupTrimmed = true
    end
    local holder, hmode, hr = madeDedup[dkey], nil, nil
    if not holder then holder, hmode, hr = dedup_holder(D, dkey, now) end
    if holder then
      existing, code = holder, 2
      if hmode == 'debounce' and dmode == 'debounce' and hr then
        debounce(holder, hr, { id = id, spec = spec, at = now + dttl, key = dkey, now = now })
        code = 3
      end
    end
  end

  if existing then
    out[#out + 1] = existing
    out[#out + 1] = code
    -- The caller's HSETNX wrote this spec unless the id had one of its own.
    if spec == '' and not inV2 then unwritten[#unwritten + 1] = id end
  else
    madeIds[id] = true
    local member = nil
    if group ~= '' then
      member = group_member(G, group, priority, id)
      redis.call('HSET', gofKey, id, member)
      redis.call('ZADD', gindexKey, 0, group)
      grouped = true
    end
    local at = 0
    if runAt > 0 then at = runAt elseif delay > 0 then at = now + delay end
    if dkey ~= '' then
      -- The key lapses when it stops mattering: a throttle's window ends, a
      -- debounced job runs; a unique key is given back when its job ends.
      local untilMs = now + dttl
      if dmode == 'debounce' then at = untilMs
      elseif dmode == 'unique' then untilMs = math.max(at, now) + dttl end
      dedup_take(D, dkey, id, dmode, untilMs, now)
      madeDedup[dkey] = id
    end
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
      if member then
        group_push(G, member)
      else
        local key = ready_key(readyKeys, priority)
        byList[key] = byList[key] or {}
        table.insert(byList[key], id)
      end
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

if grouped then redis.call('HSET', metaKey, 'groups', '1') end
emit(eventsKey, maxLen, 'queued', queued)
emit(eventsKey, maxLen, 'scheduled', scheduled)
-- A new delayed job may be due before the time a sleeping worker waits for.
if #queued > 0 or #scheduled > 0 then wake(wakeKey) end
return out
