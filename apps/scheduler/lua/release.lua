--[[ release: give the leader lease up on shutdown, only if it is still ours.
KEYS[1]  lease  string  "<holder>|<token>"
ARGV[1]  our lease value "<holder>|<token>"
Returns: 1 released; 0 not ours (expired or taken over): left alone.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
