--[[ request-done: store the answer of a request that ran with its
Idempotency-Key, to be replayed to a retry, unless another claim holds the key
now (this one's lease ran out and a retry took it).
KEYS[1]  record    hash   as request-claim's
ARGV[1]  the token of the claim
ARGV[2]  the answer (JSON)
ARGV[3]  keep ms (how long the record lives from now)
Returns: 1, or 0 when another claim holds the key (nothing changed).
]]
local recordKey = KEYS[1]

if redis.call('HGET', recordKey, 'token') ~= ARGV[1] then return 0 end
redis.call('HSET', recordKey, 'state', 'done', 'answer', ARGV[2])
redis.call('PEXPIRE', recordKey, tonumber(ARGV[3]))
return 1
