--[[ due: the schedules the leader must look at now, with what it needs to decide them.
Costs O(log N + due): only the due entries are read, however many schedules exist.
KEYS[1]  due      zset  schedule id -> when the leader must next look at it, ms
KEYS[2]  defs     hash  id -> current revision "<rev>|<since ms>|<status>|<json>"
KEYS[3]  history  hash  id -> older revisions that may still owe slots, "\n"-separated
KEYS[4]  slots    hash  id -> "<slot ms>|<state>|<token>|<fires>[|<pending job>]"
ARGV[1]  now, ms ('' = the server's clock)
ARGV[2]  at most this many schedules
Returns: {now, the first due time after now (-1: none), then per due schedule:
  id, revision, older revisions ('' if none), slot record ('' if none)}.
  An id without a revision (an inconsistency) is dropped from `due`.
]]
local dueKey, defsKey, historyKey, slotsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now = ARGV[1]
if now == '' then
  local t = redis.call('TIME')
  now = t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000))
end
local reply = { now, -1 }
local ids = redis.call('ZRANGEBYSCORE', dueKey, '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(ids) do
  local def = redis.call('HGET', defsKey, id)
  if def then
    reply[#reply + 1] = id
    reply[#reply + 1] = def
    reply[#reply + 1] = redis.call('HGET', historyKey, id) or ''
    reply[#reply + 1] = redis.call('HGET', slotsKey, id) or ''
  else
    redis.call('ZREM', dueKey, id)
  end
end
local head = redis.call('ZRANGEBYSCORE', dueKey, '(' .. now, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
if head[2] then reply[2] = head[2] end
return reply
