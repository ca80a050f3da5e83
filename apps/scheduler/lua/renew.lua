--[[ renew: extend the leader lease, only if it is still ours.
KEYS[1]  lease  string  "<holder>|<token>"
ARGV[1]  our lease value "<holder>|<token>"
ARGV[2]  lease ms
Returns: 1 renewed; 0 the lease expired or another scheduler holds it.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
