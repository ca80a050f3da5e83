--[[ reserve: lease up to N ready jobs to one worker in one call.
Promotes due delayed and retrying jobs first, then pops by priority.
KEYS[1]  meta      hash   paused flag
KEYS[2]  jobs      hash   id -> spec JSON
KEYS[3]  st        hash   id -> record
KEYS[4]  delayed   zset   id -> run-at ms
KEYS[5]  retry     zset   id -> retry-at ms
KEYS[6]  leases    zset   id -> lease deadline ms
KEYS[7]  events    stream
KEYS[8]  wake      list
KEYS[9..18] ready:0..ready:9 lists
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
local readyKeys = slice_keys(9, 10)
local now = server_now()

if redis.call('HGET', KEYS[1], 'paused') == '1' then return { now, -1 } end

local function promote(zkey)
  local due = redis.call('ZRANGEBYSCORE', zkey, '-inf', now, 'LIMIT', 0, promoteLimit)
  if #due == 0 then return end
  for i = 1, #due do
    local r = rec_read(KEYS[3], due[i])
    if r then
      r.state = 'queued'
      rec_write(KEYS[3], due[i], r)
      redis.call('RPUSH', ready_key(readyKeys, r.priority), due[i])
    end
  end
  redis.call('ZREM', zkey, unpack(due))
end
promote(KEYS[4])
promote(KEYS[5])

local out, ids = { now, 0 }, {}
local deadline = now + leaseMs
for p = 0, 9 do
  local want = count - #ids
  if want <= 0 then break end
  local popped = redis.call('LPOP', readyKeys[p + 1], want)
  if popped then
    for i = 1, #popped do
      local id = popped[i]
      -- A job written straight into the lists without a record still runs,
      -- so that the worker can dead-letter it with a reason instead of it
      -- vanishing; a job in any state but queued is not run twice.
      local r = rec_read(KEYS[3], id) or rec_new('queued', p, now)
      if r.state == 'queued' then
        r.attempts = r.attempts + 1
        r.state = 'active'
        r.owner = workerId .. ':' .. r.attempts
        r.startedAt = now
        rec_write(KEYS[3], id, r)
        redis.call('ZADD', KEYS[6], deadline, id)
        ids[#ids + 1] = id
        out[#out + 1] = id
        out[#out + 1] = redis.call('HGET', KEYS[2], id)
        out[#out + 1] = r.attempts
        out[#out + 1] = r.runAt
      end
    end
  end
end

if #ids == count then
  -- More may be waiting: pass the baton to the next sleeping worker.
  for p = 1, 10 do
    if redis.call('LLEN', readyKeys[p]) > 0 then wake(KEYS[8]) break end
  end
elseif #ids == 0 then
  local wait = -1
  for _, zkey in ipairs({ KEYS[4], KEYS[5] }) do
    local first = redis.call('ZRANGE', zkey, 0, 0, 'WITHSCORES')
    if first[2] then
      local w = tonumber(first[2]) - now
      if w < 0 then w = 0 end
      if wait < 0 or w < wait then wait = w end
    end
  end
  out[2] = wait
end

emit(KEYS[7], maxLen, 'active', ids)
return out
