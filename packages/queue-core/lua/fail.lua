--[[ fail: record a batch of failed attempts; each is retried later or dead.
The worker decides retry or dead (it knows attempts, maxAttempts and whether
the error is permanent) and the backoff; the script checks the token.
KEYS[1]  jobs      hash   id -> record, newline, spec JSON (includes/record.lua)
KEYS[2]  leases    zset
KEYS[3]  retry     zset   id -> retry-at ms
KEYS[4]  dead      zset   id -> dead-since ms
KEYS[5]  errors    hash   id -> last error JSON
KEYS[6]  events    stream
KEYS[7]  wake      list
KEYS[8]  stats     hash   totals for metrics
ARGV[1]  events max length
ARGV[2]  number of jobs n
then n groups of 4: id, owner token, error JSON, retry delay ms (-1 = dead)
Returns: array of the ids that were refused (lease taken over).
]]
--- @include "now"
--- @include "record"
--- @include "emit"
--- @include "wake"

local maxLen, n = tonumber(ARGV[1]), tonumber(ARGV[2])
local now = server_now()
local refused, retrying, dead = {}, {}, {}

for i = 0, n - 1 do
  local b = 3 + i * 4
  local id, token, err, delay = ARGV[b], ARGV[b + 1], ARGV[b + 2], tonumber(ARGV[b + 3])
  local r = rec_read(KEYS[1], id)
  if not r or r.state ~= 'active' or r.owner ~= token then
    refused[#refused + 1] = id
  else
    redis.call('ZREM', KEYS[2], id)
    redis.call('HSET', KEYS[5], id, err)
    r.owner = ''
    if delay >= 0 then
      r.state, r.runAt = 'retrying', now + delay
      redis.call('ZADD', KEYS[3], r.runAt, id)
      retrying[#retrying + 1] = id
    else
      r.state, r.finishedAt = 'dead', now
      redis.call('ZADD', KEYS[4], now, id)
      dead[#dead + 1] = id
    end
    rec_write(KEYS[1], id, r)
  end
end

if #retrying + #dead > 0 then
  redis.call('HINCRBY', KEYS[8], 'failed', #retrying + #dead)
  if #retrying > 0 then redis.call('HINCRBY', KEYS[8], 'retried', #retrying) end
  if #dead > 0 then redis.call('HINCRBY', KEYS[8], 'dead', #dead) end
end
emit(KEYS[6], maxLen, 'retrying', retrying)
emit(KEYS[6], maxLen, 'dead', dead)
if #retrying > 0 then wake(KEYS[7]) end
return refused
