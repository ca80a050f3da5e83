--[[ remove: delete a job that is not running, with every trace of it.
KEYS[1]  st        hash   id -> record
KEYS[2]  jobs      hash
KEYS[3]  results   hash
KEYS[4]  progress  hash
KEYS[5]  errors    hash
KEYS[6]  idem      hash
KEYS[7]  ikeys     hash
KEYS[8]  delayed   zset
KEYS[9]  retry     zset
KEYS[10] completed zset
KEYS[11] dead      zset
KEYS[12] cancelled zset
KEYS[13] events    stream
KEYS[14..23] ready:0..ready:9 lists
ARGV[1]  events max length
ARGV[2]  id
Returns: 1 removed, 0 no such job, -1 the job is running.
]]
--- @include "record"
--- @include "emit"
--- @include "ready"
--- @include "remove-job"

local maxLen, id = tonumber(ARGV[1]), ARGV[2]
local readyKeys = slice_keys(14, 10)
local r = rec_read(KEYS[1], id)
if not r then
  if redis.call('HEXISTS', KEYS[2], id) == 0 then return 0 end
  r = rec_new('unknown', 5, 0)
end
local index = { scheduled = KEYS[8], retrying = KEYS[9], completed = KEYS[10],
  dead = KEYS[11], cancelled = KEYS[12] }
if r.state == 'active' then return -1 end
if r.state == 'queued' then
  redis.call('LREM', ready_key(readyKeys, r.priority), 1, id)
elseif index[r.state] then
  redis.call('ZREM', index[r.state], id)
end
remove_job({ jobs = KEYS[2], st = KEYS[1], results = KEYS[3], progress = KEYS[4],
  errors = KEYS[5], idem = KEYS[6], ikeys = KEYS[7] }, id)
emit(KEYS[13], maxLen, 'removed', { id })
return 1
