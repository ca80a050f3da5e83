--[[ remove: delete a job that is not running, with every trace of it.
KEYS[1]  jobs      hash   id -> record, newline, spec JSON (includes/record.lua)
KEYS[2]  results   hash
KEYS[3]  progress  hash
KEYS[4]  errors    hash
KEYS[5]  idem      hash
KEYS[6]  ikeys     hash
KEYS[7]  delayed   zset
KEYS[8]  retry     zset
KEYS[9]  completed zset
KEYS[10] dead      zset
KEYS[11] cancelled zset
KEYS[12] events    stream
KEYS[13..22] ready:0..ready:9 lists
ARGV[1]  events max length
ARGV[2]  id
Returns: 1 removed, 0 no such job, -1 the job is running.
]]
--- @include "record"
--- @include "emit"
--- @include "ready"
--- @include "remove-job"

local maxLen, id = tonumber(ARGV[1]), ARGV[2]
local readyKeys = slice_keys(13, 10)
local r = rec_read(KEYS[1], id)
if not r then
  if redis.call('HEXISTS', KEYS[1], id) == 0 then return 0 end
  r = rec_new('unknown', 5, 0)
end
local index = { scheduled = KEYS[7], retrying = KEYS[8], completed = KEYS[9],
  dead = KEYS[10], cancelled = KEYS[11] }
if r.state == 'active' then return -1 end
if r.state == 'queued' then
  redis.call('LREM', ready_key(readyKeys, r.priority), 1, id)
elseif index[r.state] then
  redis.call('ZREM', index[r.state], id)
end
remove_job({ jobs = KEYS[1], results = KEYS[2], progress = KEYS[3],
  errors = KEYS[4], idem = KEYS[5], ikeys = KEYS[6] }, id)
emit(KEYS[12], maxLen, 'removed', { id })
return 1
