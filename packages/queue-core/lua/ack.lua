--[[ ack: complete a batch of jobs, each with its owner token and result.
A job whose lease was taken over (token differs or job not active) is refused.
KEYS[1]  jobs      hash   id -> record, newline, spec JSON (includes/record.lua)
KEYS[2]  leases    zset
KEYS[3]  completed zset   id -> finished ms
KEYS[4]  results   hash   id -> result JSON
KEYS[5]  progress  hash
KEYS[6]  errors    hash
KEYS[7]  idem      hash
KEYS[8]  ikeys     hash
KEYS[9]  events    stream
KEYS[10] stats     hash   totals for metrics
ARGV[1]  events max length
ARGV[2]  keep completed ms (0 = remove the job as soon as it completes)
ARGV[3]  keep at most this many completed jobs (0 = no cap)
ARGV[4]  number of jobs n
then n groups of 3: id, owner token, result JSON ('' = none)
Returns: array of the ids that were refused.
]]
--- @include "now"
--- @include "record"
--- @include "emit"
--- @include "remove-job"
--- @include "trim"

local maxLen, keepMs, keepCount, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local k = { jobs = KEYS[1], results = KEYS[4], progress = KEYS[5],
  errors = KEYS[6], idem = KEYS[7], ikeys = KEYS[8] }
local now = server_now()
-- A string once: redis.call turns a Lua number into text with a sprintf per argument.
local nowStr = num_str(now)
local refused, done, doneRecs, results, completedArgs = {}, {}, {}, {}, {}

local ids = {}
for i = 1, n do ids[i] = ARGV[2 + i * 3] end
local recs = rec_read_many(KEYS[1], ids)
for i = 1, n do
  local b = 2 + i * 3
  local id, token, result = ARGV[b], ARGV[b + 1], ARGV[b + 2]
  local r = recs[i]
  if not r or r.state ~= 'active' or r.owner ~= token then
    refused[#refused + 1] = id
  else
    -- Marked, so that the same id twice in one batch is refused the second time.
    r.state, r.owner, r.finishedAt = 'completed', '', nowStr
    done[#done + 1], doneRecs[#doneRecs + 1] = id, r
    if result ~= '' then
      results[#results + 1] = id
      results[#results + 1] = result
    end
    completedArgs[#completedArgs + 1] = nowStr
    completedArgs[#completedArgs + 1] = id
  end
end

if #done > 0 then
  call_sliced('ZREM', KEYS[2], done, 1000)
  if keepMs > 0 then
    rec_write_many(KEYS[1], done, doneRecs)
    call_sliced('HSET', KEYS[4], results, 2000)
    call_sliced('ZADD', KEYS[3], completedArgs, 2000)
  else
    remove_jobs(k, done)
  end
  redis.call('HINCRBY', KEYS[10], 'completed', #done)
end

if keepMs > 0 then trim_finished(k, KEYS[3], now, keepMs, keepCount, n + 100) end
emit(KEYS[9], maxLen, 'completed', done)
return refused
