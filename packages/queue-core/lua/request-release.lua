--[[ request-release: a request that failed gives its Idempotency-Key back,
unless another claim holds it now.
KEYS[1]  record    hash   as request-claim's
ARGV[1]  the token of the claim
ARGV[2]  'free' (forget the key: the request changed nothing) or 'failed' (keep
  its fingerprint: the request may have done part of its work)
Returns: 1, or 0 when another claim holds the key (nothing changed).
]]
local recordKey = KEYS[1]

if redis.call('HGET', recordKey, 'token') ~= ARGV[1] then return 0 end
if ARGV[2] == 'free' then
  redis.call('DEL', recordKey)
else
  redis.call('HSET', recordKey, 'state', 'failed')
end
return 1
