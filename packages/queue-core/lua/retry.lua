--[[ retry: put dead (or cancelled) jobs back in their ready list with a fresh
count of attempts and stalls; the last error stays readable. A grouped job goes
back to its group.
KEYS[1]  specs     hash   id -> spec JSON
KEYS[2]  state     hash   id -> record (includes/record.lua)
KEYS[3]  dead      zset
KEYS[4]  cancelled zset
KEYS[5]  events    stream
KEYS[6]  wake      list
KEYS[7]  legacy    hash   storage v1 jobs, converted when met (includes/legacy.lua)
KEYS[8]  adopted   set    v1 ids converted here
KEYS[9]  groups    hash   per-group counts and status (includes/groups.lua)
KEYS[10] gjobs     zset   queued grouped jobs
KEYS[11] gready    list   groups taking turns
KEYS[12] gwait     zset   groups held back by a limit
KEYS[13] gindex    zset   groups by name
KEYS[14] gof       hash   grouped job id -> gjobs member
KEYS[15..24] ready:0..ready:9 lists
ARGV[1]  events max length
ARGV[2]  mode: 'ids' (the ids that follow) or 'dead' (the oldest dead jobs)
ARGV[3]  with mode 'dead': how many at most
ARGV[4..] with mode 'ids': the ids
Returns: with 'ids', one code per id (includes/codes.lua: done, not_found,
  invalid_state when neither dead nor cancelled); with 'dead', { number requeued }.
]]
local specsKey, stateKey, deadKey, cancelledKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local eventsKey, wakeKey, legacyKey, adoptedKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local groupsKey, gjobsKey, greadyKey, gwaitKey, gindexKey = KEYS[9], KEYS[10], KEYS[11], KEYS[12], KEYS[13]
local gofKey = KEYS[14]
--- @include "codes"
--- @include "now"
--- @include "record"
--- @include "legacy"
--- @include "job"
--- @include "emit"
--- @include "wake"
--- @include "ready"
--- @include "groups"

local maxLen, mode = tonumber(ARGV[1]), ARGV[2]
local readyKeys = ready_keys(15)
local G = { groups = groupsKey, gjobs = gjobsKey, gready = greadyKey, gwait = gwaitKey,
  gindex = gindexKey, gof = gofKey }

-- A grouped job goes back to its group's queue (its spec names the group).
local function group_in_spec(id)
  local raw = redis.call('HGET', specsKey, id)
  if not raw or not string.find(raw, '"group":', 1, true) then return nil end
  local ok, spec = pcall(cjson.decode, raw)
  if ok and type(spec) == 'table' and type(spec.group) == 'string' then return spec.group end
  return nil
end
local k = { specs = specsKey, state = stateKey, legacy = legacyKey, adopted = adoptedKey }
local now = server_now()
local requeued, codes = {}, {}

local function requeue(id)
  local r = job_read(k, id)
  if not r then return CODE.not_found end
  if r.state == 'dead' then
    redis.call('ZREM', deadKey, id)
  elseif r.state == 'cancelled' then
    redis.call('ZREM', cancelledKey, id)
  else
    return CODE.invalid_state
  end
  r.state, r.attempts, r.stalls, r.owner = 'queued', 0, 0, ''
  r.runAt, r.startedAt, r.finishedAt = now, 0, 0
  redis.call('HSET', stateKey, id, rec_encode(r))
  local group = group_in_spec(id)
  if group then
    local member = group_member(G, group, r.priority, id)
    redis.call('HSET', gofKey, id, member)
    redis.call('ZADD', gindexKey, 0, group)
    group_push(G, member)
  else
    redis.call('RPUSH', ready_key(readyKeys, r.priority), id)
  end
  requeued[#requeued + 1] = id
  return CODE.done
end

if mode == 'dead' then
  local ids = redis.call('ZRANGE', deadKey, 0, tonumber(ARGV[3]) - 1)
  for i = 1, #ids do requeue(ids[i]) end
  codes = { #requeued }
else
  for i = 4, #ARGV do codes[#codes + 1] = requeue(ARGV[i]) end
end

emit(eventsKey, maxLen, 'queued', requeued)
if #requeued > 0 then wake(wakeKey) end
return codes
