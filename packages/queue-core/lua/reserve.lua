--[[ reserve: lease up to N ready jobs to one worker in one call.
Promotes due delayed and retrying jobs first, then pops by priority. A job's
spec is only read, never rewritten: the lease writes its small record.
KEYS[1]  meta      hash   paused flag
KEYS[2]  specs     hash   id -> spec JSON
KEYS[3]  state     hash   id -> record (includes/record.lua)
KEYS[4]  delayed   zset   id -> run-at ms
KEYS[5]  retry     zset   id -> retry-at ms
KEYS[6]  leases    zset   id -> lease deadline ms
KEYS[7]  events    stream
KEYS[8]  wake      list
KEYS[9]  legacy    hash   storage v1 jobs, converted when met (includes/legacy.lua)
KEYS[10] adopted   set    v1 ids converted here
KEYS[11] limits    hash   (includes/limits.lua)
KEYS[12] qrate     zset   the queue rate's log: lease -> lease time ms
KEYS[13] grate     zset   the groups' rate logs (includes/limits.lua)
KEYS[14] groups    hash   per-group counts and status (includes/groups.lua)
KEYS[15] gjobs     zset   queued grouped jobs
KEYS[16] gready    list   groups taking turns
KEYS[17] gwait     zset   groups held back by a limit -> until when
KEYS[18] gindex    zset   groups by name
KEYS[19] gof       hash   grouped job id -> gjobs member
KEYS[20] grateexp  zset   group -> when its rate log lapses (includes/limits.lua)
KEYS[21..30] ready:0..ready:9 lists
ARGV[1]  max jobs N (>= 1)
ARGV[2]  lease ms
ARGV[3]  worker id (the owner token is worker id .. ':' .. attempt)
ARGV[4]  events max length
ARGV[5]  max jobs to promote per call
ARGV[6]  max bytes of specs per reply (0 = no bound; at least one job is
  always leased): jobs popped past it go back to the head of their list
ARGV[7]  the largest spec returned in the reply; a bigger one is left for the
  worker to read with HMGET (Lua copies and interns every string it holds)
Returns: { now, wait, id1, token1, spec1, attempts1, runAt1, id2, ... } where
  token is the lease's owner token, runAt when the job became due (0: at its
  spec's createdAt), and wait is -1 when nothing is scheduled (or the queue is
  paused), else the ms until the next scheduled job is due (0 when jobs were
  returned or are due now). spec is the spec JSON, its length in bytes when
  it is too big to return (read it from `specs`), or false for a job that has
  none (the worker dead-letters it). When nothing was leased because of a
  limit, wait is at most the ms until that limit allows a job. Plain and
  grouped jobs share a call half and half; groups take turns (one job per
  turn) through gready.
]]
local metaKey, specsKey, stateKey, delayedKey, retryKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local leasesKey, eventsKey, wakeKey, legacyKey, adoptedKey = KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local limitsKey, qrateKey, grateKey, groupsKey, gjobsKey = KEYS[11], KEYS[12], KEYS[13], KEYS[14], KEYS[15]
local greadyKey, gwaitKey, gindexKey, gofKey = KEYS[16], KEYS[17], KEYS[18], KEYS[19]
local grateexpKey = KEYS[20]
--- @include "now"
--- @include "record"
--- @include "legacy"
--- @include "emit"
--- @include "wake"
--- @include "ready"
--- @include "groups"
--- @include "limits"
--- @include "reserve-groups"

local count, leaseMs, workerId = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local maxLen, promoteLimit, maxBytes = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local inlineMax = tonumber(ARGV[7])
local readyKeys = ready_keys(21)
local k = { specs = specsKey, state = stateKey, legacy = legacyKey, adopted = adoptedKey }
local now = server_now()

local flags = redis.call('HMGET', metaKey, 'paused', 'groups', 'limits')
if flags[1] == '1' then return { now, -1 } end
-- Both flags are absent in a queue that never had a grouped job or a limit:
-- its jobs pay nothing for either.
local G = flags[2] == '1' and { groups = groupsKey, gjobs = gjobsKey, gready = greadyKey,
  gwait = gwaitKey, gindex = gindexKey, gof = gofKey } or nil
local L = flags[3] == '1' and limits_read(limitsKey) or nil
-- The soonest a limit lets a job start, ms from now (-1: none is waited on).
local limitWait = -1
local function limited_until(at)
  local w = at - now
  if w < 0 then w = 0 end
  if limitWait < 0 or w < limitWait then limitWait = w end
end

local function promote(zkey)
  local due = redis.call('ZRANGEBYSCORE', zkey, '-inf', now, 'LIMIT', 0, promoteLimit)
  if #due == 0 then return end
  local recs = rec_read_many(k, due)
  -- A grouped job due for its first run joins its group; a retry keeps the
  -- slot it holds and runs from the plain lists.
  local members = (G and zkey == delayedKey) and hmget_many(gofKey, due) or {}
  local ids, kept, byList = {}, {}, {}
  for i = 1, #due do
    local r = recs[i]
    if r and members[i] then
      r.state = 'queued'
      ids[#ids + 1], kept[#kept + 1] = due[i], r
      group_push(G, members[i])
    elseif r then
      r.state = 'queued'
      ids[#ids + 1], kept[#kept + 1] = due[i], r
      local key = ready_key(readyKeys, r.priority)
      byList[key] = byList[key] or {}
      table.insert(byList[key], due[i])
    end
  end
  rec_write_many(stateKey, ids, kept)
  for p = 1, 10 do
    local list = byList[readyKeys[p]]
    if list then call_sliced('RPUSH', readyKeys[p], list, 1000) end
  end
  call_sliced('ZREM', zkey, due, 1000)
end
promote(delayedKey)
promote(retryKey)

-- Pop up to `budget` ids, highest priority first. LMPOP takes from the first
-- non-empty list, so a call or two do what a walk over ten lists would.
local budget = count
if L and L.rate then
  local freeAt
  budget, freeAt = reserve_queue_rate_budget(qrateKey, L.rate, count, now)
  if freeAt then limited_until(freeAt) end
end
local popped, poppedPriority, poppedGroup = {}, {}, {}
local listIndex = {}
for p = 1, 10 do listIndex[readyKeys[p]] = p end
local lastList = 1
local function pop_plain(upTo)
  while #popped < upTo do
    local got = redis.call('LMPOP', 10, readyKeys[1], readyKeys[2], readyKeys[3],
      readyKeys[4], readyKeys[5], readyKeys[6], readyKeys[7], readyKeys[8], readyKeys[9],
      readyKeys[10], 'LEFT', 'COUNT', upTo - #popped)
    if not got then break end
    lastList = listIndex[got[1]]
    local ids = got[2]
    for i = 1, #ids do
      popped[#popped + 1] = ids[i]
      poppedPriority[#popped] = lastList - 1
    end
  end
end
local groupsLeft = false
-- Spec lengths already read by id (grouped jobs' liveness check reads them).
local knownLengths = {}
if not G then
  pop_plain(budget)
else
  reserve_promote_groups(G, now, promoteLimit)
  limits_forget_group_rate_logs(grateKey, grateexpKey, now, promoteLimit)
  -- Plain jobs and groups share a call half and half, who goes first taking turns.
  local half = math.floor(budget / 2)
  if now % 2 == 0 then half = budget - half end
  pop_plain(half)
  local o = { G = G, L = L, grate = grateKey, grateexp = grateexpKey, specs = specsKey,
    state = stateKey, now = now, upTo = budget, popped = popped, priority = poppedPriority,
    group = poppedGroup, limited = limited_until, loggedFor = 0, lengths = knownLengths }
  groupsLeft = reserve_pop_groups(o)
  limits_keep_for(grateKey, o.loggedFor)
  limits_keep_for(grateexpKey, o.loggedFor)
  pop_plain(budget)
end

-- Big payloads: lease what fits in maxBytes, so that what the worker reads
-- next stays a few MB.
local poppedAll = #popped
local lengths = {}
local bytes, keep = 0, #popped
for i = 1, #popped do
  lengths[i] = knownLengths[popped[i]] or redis.call('HSTRLEN', specsKey, popped[i])
  bytes = bytes + lengths[i]
  if maxBytes > 0 and bytes > maxBytes and i > 1 then keep = i - 1 break end
end
-- Grouped jobs past the bound are leased all the same: they took their
-- group's slot already (a call leases at most `count` of them).
if keep < #popped then
  local kept, keptPriority, keptGroup = {}, {}, {}
  for i = 1, #popped do
    if i <= keep or poppedGroup[i] then
      local n = #kept + 1
      kept[n], keptPriority[n], keptGroup[n] = popped[i], poppedPriority[i], poppedGroup[i]
    end
  end
  for i = #popped, keep + 1, -1 do
    if not poppedGroup[i] then redis.call('LPUSH', readyKeys[poppedPriority[i] + 1], popped[i]) end
  end
  popped, poppedPriority, poppedGroup = kept, keptPriority, keptGroup
end

local out, ids, recs, leaseArgs = { now, 0 }, {}, {}, {}
-- A string once: redis.call turns a Lua number into text with a sprintf per argument.
local deadline = num_str(now + leaseMs)
if #popped > 0 then
  local found = rec_read_many(k, popped)
  -- Only small specs enter Lua; a legacy job just converted has a length of 0
  -- above and is read here whatever its size (a one-off).
  local small, smallAt = {}, {}
  for i = 1, #popped do
    if lengths[i] <= inlineMax then
      small[#small + 1] = popped[i]
      smallAt[i] = #small
    end
  end
  local smallSpecs = hmget_many(specsKey, small)
  local specs = {}
  for i = 1, #popped do
    if smallAt[i] then specs[i] = smallSpecs[smallAt[i]] or false else specs[i] = lengths[i] end
  end
  local seen = {}
  for i = 1, #popped do
    local id = popped[i]
    -- No record: the job waits for its first run (or has no spec at all, and
    -- runs anyway so that the worker dead-letters it with a reason instead of
    -- it vanishing). A job in any state but queued, or twice in one batch, is
    -- not run twice.
    local r = found[i] or rec_new('queued', poppedPriority[i], 0)
    if r.state == 'queued' and not seen[id] then
      seen[id] = true
      r.attempts = r.attempts + 1
      r.state = 'active'
      r.owner = workerId .. ':' .. num_str(r.attempts)
      r.startedAt = now
      ids[#ids + 1], recs[#recs + 1] = id, r
      leaseArgs[#leaseArgs + 1] = deadline
      leaseArgs[#leaseArgs + 1] = id
      out[#out + 1] = id
      out[#out + 1] = r.owner
      out[#out + 1] = specs[i]
      out[#out + 1] = r.attempts
      out[#out + 1] = r.runAt
    end
  end
end
if #ids > 0 then
  rec_write_many(stateKey, ids, recs)
  call_sliced('ZADD', leasesKey, leaseArgs, 2000)
  if L and L.rate then reserve_queue_rate_log(qrateKey, L.rate, now, ids, recs) end
end

if #popped < poppedAll or groupsLeft then
  wake(wakeKey)
elseif poppedAll == budget and budget > 0 then
  -- More may be waiting: pass the baton to the next sleeping worker. Lists
  -- before the last one popped from are empty now.
  local more = G and redis.call('LLEN', greadyKey) > 0
  for p = lastList, 10 do
    if more or redis.call('LLEN', readyKeys[p]) > 0 then more = true break end
  end
  if more then wake(wakeKey) end
elseif poppedAll == 0 then
  local wait = -1
  for _, zkey in ipairs({ delayedKey, retryKey }) do
    local first = redis.call('ZRANGE', zkey, 0, 0, 'WITHSCORES')
    if first[2] then
      local w = tonumber(first[2]) - now
      if w < 0 then w = 0 end
      if wait < 0 or w < wait then wait = w end
    end
  end
  if G then
    local first = redis.call('ZRANGEBYSCORE', gwaitKey, '-inf', '(' .. GROUP_FOREVER,
      'WITHSCORES', 'LIMIT', 0, 1)
    if first[2] then limited_until(tonumber(first[2])) end
  end
  if limitWait >= 0 and (wait < 0 or limitWait < wait) then wait = limitWait end
  out[2] = wait
end

emit(eventsKey, maxLen, 'active', ids)
return out
