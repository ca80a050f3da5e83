--[[ pause: stop (or resume) handing out jobs; running jobs finish as usual.
KEYS[1]  meta      hash   field paused = '1' while paused
KEYS[2]  events    stream
KEYS[3]  wake      list
ARGV[1]  events max length
ARGV[2]  '1' to pause, '0' to resume
Returns: 1
]]
local metaKey, eventsKey, wakeKey = KEYS[1], KEYS[2], KEYS[3]
--- @include "wake"

local maxLen = tonumber(ARGV[1])
if ARGV[2] == '1' then
  redis.call('HSET', metaKey, 'paused', '1')
else
  redis.call('HDEL', metaKey, 'paused')
  wake(wakeKey)
end
if maxLen > 0 then
  redis.call('XADD', eventsKey, 'MAXLEN', '~', maxLen, '*', 'event',
    ARGV[2] == '1' and 'paused' or 'resumed', 'ids', '')
end
return 1
