--[[ acquire: take the leader lease if nobody holds it, with a new fencing token.
KEYS[1]  lease         string  "<holder>|<token>" of the current leader, expiring after the lease
KEYS[2]  fence         string  counter, incremented at every acquisition
KEYS[3]  leader-since  string  "<token>|<ms>": when the lease with that token was acquired
ARGV[1]  holder id (unique per scheduler instance, contains no "|")
ARGV[2]  lease ms
Returns: {token, 0} when acquired (or still ours: a renewal whose reply was lost);
  {0, ms until the current lease expires (-1 when it has no expiry)} when another holds it.
]]
local leaseKey, fenceKey, sinceKey = KEYS[1], KEYS[2], KEYS[3]
local current = redis.call('GET', leaseKey)
if current then
  local holder, token = string.match(current, '^(.*)|(%d+)$')
  -- Still ours and no one acquired since (acquiring needs the key gone): keep the token.
  if holder == ARGV[1] and tonumber(token) == tonumber(redis.call('GET', fenceKey)) then
    redis.call('PEXPIRE', leaseKey, ARGV[2])
    return { tonumber(token), 0 }
  end
  return { 0, redis.call('PTTL', leaseKey) }
end
local token = redis.call('INCR', fenceKey)
redis.call('SET', leaseKey, ARGV[1] .. '|' .. token, 'PX', ARGV[2])
local t = redis.call('TIME')
redis.call('SET', sinceKey, token .. '|' .. t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000)))
return { token, 0 }
