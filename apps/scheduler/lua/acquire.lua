--[[ acquire: take the leader lease if nobody holds it, with a new fencing token.
KEYS[1]  lease  string  "<holder>|<token>" of the current leader, expiring after the lease
KEYS[2]  fence  string  counter, incremented at every acquisition
ARGV[1]  holder id (unique per scheduler instance, contains no "|")
ARGV[2]  lease ms
Returns: {token, 0} when acquired (or still ours: a renewal whose reply was lost);
  {0, ms until the current lease expires (-1 when it has no expiry)} when another holds it.
]]
local current = redis.call('GET', KEYS[1])
if current then
  local holder, token = string.match(current, '^(.*)|(%d+)$')
  -- Still ours and no one acquired since (acquiring needs the key gone): keep the token.
  if holder == ARGV[1] and tonumber(token) == tonumber(redis.call('GET', KEYS[2])) then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return { tonumber(token), 0 }
  end
  return { 0, redis.call('PTTL', KEYS[1]) }
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. token, 'PX', ARGV[2])
return { token, 0 }
