--[[ retry: put dead (or cancelled) jobs back in their ready list with a fresh
count of attempts and stalls; the last error stays readable.
KEYS[1]  jobs      hash   id -> record, newline, spec JSON (includes/record.lua)
KEYS[2]  dead      zset
KEYS[3]  cancelled zset
KEYS[4]  events    stream
KEYS[5]  wake      list
KEYS[6..15] ready:0..ready:9 lists
ARGV[1]  events max length
ARGV[2]  mode: 'ids' (the ids that follow) or 'dead' (the oldest dead jobs)
ARGV[3]  with mode 'dead': how many at most
ARGV[4..] with mode 'ids': the ids
Returns: with 'ids', one code per id (1 requeued, 0 no such job, -1 not dead
  or cancelled); with 'dead', { number requeued }.
]]
--- @include "now"
--- @include "record"
--- @include "emit"
--- @include "wake"
--- @include "ready"

local maxLen, mode = tonumber(ARGV[1]), ARGV[2]
local readyKeys = slice_keys(6, 10)
local now = server_now()
local requeued, codes = {}, {}

local function requeue(id)
  local r = rec_read(KEYS[1], id)
  if not r then return 0 end
  if r.state == 'dead' then
    redis.call('ZREM', KEYS[2], id)
  elseif r.state == 'cancelled' then
    redis.call('ZREM', KEYS[3], id)
  else
    return -1
  end
  r.state, r.attempts, r.stalls, r.owner = 'queued', 0, 0, ''
  r.runAt, r.startedAt, r.finishedAt = now, 0, 0
  rec_write(KEYS[1], id, r)
  redis.call('RPUSH', ready_key(readyKeys, r.priority), id)
  requeued[#requeued + 1] = id
  return 1
end

if mode == 'dead' then
  local ids = redis.call('ZRANGE', KEYS[2], 0, tonumber(ARGV[3]) - 1)
  for i = 1, #ids do requeue(ids[i]) end
  codes = { #requeued }
else
  for i = 4, #ARGV do codes[#codes + 1] = requeue(ARGV[i]) end
end

emit(KEYS[4], maxLen, 'queued', requeued)
if #requeued > 0 then wake(KEYS[5]) end
return codes
