--[[ cancel: stop a job that has not started (queued, scheduled or waiting to
be retried). A running job cannot be cancelled: its handler is elsewhere.
KEYS[1]  jobs      hash   id -> record, newline, spec JSON (includes/record.lua)
KEYS[2]  delayed   zset
KEYS[3]  retry     zset
KEYS[4]  cancelled zset   id -> cancelled-at ms
KEYS[5]  events    stream
KEYS[6..15] ready:0..ready:9 lists
ARGV[1]  events max length
ARGV[2]  id
Returns: 1 cancelled, 0 no such job, -1 not in a cancellable state.
]]
--- @include "now"
--- @include "record"
--- @include "emit"
--- @include "ready"

local maxLen, id = tonumber(ARGV[1]), ARGV[2]
local readyKeys = slice_keys(6, 10)
local r = rec_read(KEYS[1], id)
if not r then return 0 end
if r.state == 'queued' then
  -- LREM walks the list: fine for an operator action, never on a job's hot path.
  redis.call('LREM', ready_key(readyKeys, r.priority), 1, id)
elseif r.state == 'scheduled' then
  redis.call('ZREM', KEYS[2], id)
elseif r.state == 'retrying' then
  redis.call('ZREM', KEYS[3], id)
else
  return -1
end
local now = server_now()
r.state, r.finishedAt = 'cancelled', now
rec_write(KEYS[1], id, r)
redis.call('ZADD', KEYS[4], now, id)
emit(KEYS[5], maxLen, 'cancelled', { id })
return 1
