--[[ pause: stop (or resume) handing out jobs; running jobs finish as usual.
KEYS[1]  meta      hash   field paused = '1' while paused
KEYS[2]  events    stream
KEYS[3]  wake      list
ARGV[1]  events max length
ARGV[2]  '1' to pause, '0' to resume
Returns: 1
]]
--- @include "wake"

local maxLen = tonumber(ARGV[1])
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[1], 'paused', '1')
else
  redis.call('HDEL', KEYS[1], 'paused')
  wake(KEYS[3])
end
if maxLen > 0 then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', maxLen, '*', 'event',
    ARGV[2] == '1' and 'paused' or 'resumed', 'ids', '')
end
return 1
