--[[ reserve: lease up to N ready jobs to one worker in one call.
Promotes due delayed and retrying jobs first, then pops by priority.
KEYS[1]  meta      hash   paused flag
KEYS[2]  jobs      hash   id -> record, newline, spec JSON (includes/record.lua)
KEYS[3]  delayed   zset   id -> run-at ms
KEYS[4]  retry     zset   id -> retry-at ms
KEYS[5]  leases    zset   id -> lease deadline ms
KEYS[6]  events    stream
KEYS[7]  wake      list
KEYS[8..17] ready:0..ready:9 lists
ARGV[1]  max jobs N (>= 1)
ARGV[2]  lease ms
ARGV[3]  worker id (the owner token is worker id .. ':' .. attempt)
ARGV[4]  events max length
ARGV[5]  max jobs to promote per call
Returns: { now, wait, id1, spec1, attempts1, runAt1, id2, ... } where runAt is
  when the job became due (enqueue, delay or retry time), and wait is -1 when
  nothing is scheduled (or the queue is paused), else the ms until the next
  scheduled job is due (0 when jobs were returned or are due now).
  spec is false for a job whose spec is missing (the worker dead-letters it).
]]
--- @include "now"
--- @include "record"
--- @include "emit"
--- @include "wake"
--- @include "ready"

local count, leaseMs, workerId = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local maxLen, promoteLimit = tonumber(ARGV[4]), tonumber(ARGV[5])
local readyKeys = slice_keys(8, 10)
local now = server_now()

if redis.call('HGET', KEYS[1], 'paused') == '1' then return { now, -1 } end

local function promote(zkey)
  local due = redis.call('ZRANGEBYSCORE', zkey, '-inf', now, 'LIMIT', 0, promoteLimit)
  if #due == 0 then return end
  local recs = rec_read_many(KEYS[2], due)
  local ids, kept, byList = {}, {}, {}
  for i = 1, #due do
    local r = recs[i]
    if r then
      r.state = 'queued'
      ids[#ids + 1], kept[#kept + 1] = due[i], r
      local key = ready_key(readyKeys, r.priority)
      byList[key] = byList[key] or {}
      table.insert(byList[key], due[i])
    end
  end
  rec_write_many(KEYS[2], ids, kept)
  for p = 1, 10 do
    local list = byList[readyKeys[p]]
    if list then call_sliced('RPUSH', readyKeys[p], list, 1000) end
  end
  call_sliced('ZREM', zkey, due, 1000)
end
promote(KEYS[3])
promote(KEYS[4])

-- Pop up to `count` ids, highest priority first. LMPOP takes from the first
-- non-empty list, so a call or two do what a walk over ten lists would.
local popped, poppedPriority = {}, {}
local listIndex = {}
for p = 1, 10 do listIndex[readyKeys[p]] = p end
local lastList = 1
while #popped < count do
  local got = redis.call('LMPOP', 10, readyKeys[1], readyKeys[2], readyKeys[3],
    readyKeys[4], readyKeys[5], readyKeys[6], readyKeys[7], readyKeys[8], readyKeys[9],
    readyKeys[10], 'LEFT', 'COUNT', count - #popped)
  if not got then break end
  lastList = listIndex[got[1]]
  local ids = got[2]
  for i = 1, #ids do
    popped[#popped + 1] = ids[i]
    poppedPriority[#popped] = lastList - 1
  end
end

local out, ids, recs, leaseArgs = { now, 0 }, {}, {}, {}
-- A string once: redis.call turns a Lua number into text with a sprintf per argument.
local deadline = num_str(now + leaseMs)
if #popped > 0 then
  local found, raws = rec_read_many(KEYS[2], popped)
  local seen = {}
  for i = 1, #popped do
    local id = popped[i]
    -- A job written straight into the lists without a record (its value, if
    -- any, taken for its spec) still runs, so that the worker can dead-letter it
    -- with a reason instead of it vanishing; a job in any state but queued (or
    -- twice in one batch) is not run twice.
    local r = found[i] or rec_new('queued', poppedPriority[i], now, raws[i] or '')
    if r.state == 'queued' and not seen[id] then
      seen[id] = true
      r.attempts = r.attempts + 1
      r.state = 'active'
      r.owner = workerId .. ':' .. num_str(r.attempts)
      r.startedAt = now
      ids[#ids + 1], recs[#recs + 1] = id, r
      leaseArgs[#leaseArgs + 1] = deadline
      leaseArgs[#leaseArgs + 1] = id
    end
  end
end
if #ids > 0 then
  rec_write_many(KEYS[2], ids, recs)
  call_sliced('ZADD', KEYS[5], leaseArgs, 2000)
  for i = 1, #ids do
    local spec = rec_spec(recs[i])
    out[#out + 1] = ids[i]
    out[#out + 1] = spec ~= '' and spec or false
    out[#out + 1] = recs[i].attempts
    out[#out + 1] = recs[i].runAt
  end
end

if #popped == count then
  -- More may be waiting: pass the baton to the next sleeping worker. Lists
  -- before the last one popped from are empty now.
  for p = lastList, 10 do
    if redis.call('LLEN', readyKeys[p]) > 0 then wake(KEYS[7]) break end
  end
elseif #popped == 0 then
  local wait = -1
  for _, zkey in ipairs({ KEYS[3], KEYS[4] }) do
    local first = redis.call('ZRANGE', zkey, 0, 0, 'WITHSCORES')
    if first[2] then
      local w = tonumber(first[2]) - now
      if w < 0 then w = 0 end
      if wait < 0 or w < wait then wait = w end
    end
  end
  out[2] = wait
end

emit(KEYS[6], maxLen, 'active', ids)
return out
