--[[ request-claim: take an Idempotency-Key before running the API request it
stands for (one that is not a single enqueue: a flow, a batch). A key whose
request runs is held for a lease; one whose request failed may be taken again
by the same request; a done one keeps its answer until the record expires.
KEYS[1]  record    hash   fp, state (running | failed | done), until ms, token, answer
ARGV[1]  the request's fingerprint
ARGV[2]  lease ms (how long a running request holds the key)
ARGV[3]  keep ms (how long the record lives)
ARGV[4]  a token naming this claim
Returns: { 'run' } (taken: run the request), { 'done', answer }, { 'reused' }
  (the key stands for another request) or { 'busy' } (its request runs now).
]]
local recordKey = KEYS[1]
--- @include "now"

local fingerprint, leaseMs, keepMs, token = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local now = server_now()
local fp, state, till, answer = unpack(redis.call('HMGET', recordKey, 'fp', 'state', 'until', 'answer'))
if fp then
  if fp ~= fingerprint then return { 'reused' } end
  if state == 'done' then return { 'done', answer } end
  if state == 'running' and tonumber(till) > now then return { 'busy' } end
end
redis.call('HSET', recordKey, 'fp', fingerprint, 'state', 'running', 'until', now + leaseMs,
  'token', token)
redis.call('PEXPIRE', recordKey, keepMs)
return { 'run' }
