--[[ flow-add: store jobs of a flow in their queue, waiting: not in any ready
list, so that none runs before the whole flow is written and committed
(flow-commit.lua); flow-release.lua lets each go when its parents are done.
Safe to run again (ids are generated, a spec is written once).
KEYS[1]  specs     hash   id -> spec JSON
KEYS[2]  state     hash   id -> record (includes/record.lua)
KEYS[3]  waiting   zset   id -> stored ms
KEYS[4]  flowjobs  hash   id -> "<flow id>|<node>"
KEYS[5]  heads     hash   id -> a big spec's metadata
ARGV[1]  number of jobs n
then n groups of 5: id, spec JSON, priority 0-9, "<flow id>|<node>", head ('' = none)
Returns: n
]]
local specsKey, stateKey, waitingKey, flowjobsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local headsKey = KEYS[5]
--- @include "now"
--- @include "record"

local n = tonumber(ARGV[1])
local now = server_now()
local specArgs, stateArgs, waitingArgs, flowArgs = {}, {}, {}, {}
for i = 1, n do
  local b = 2 + (i - 1) * 5
  if ARGV[b + 4] ~= '' then redis.call('HSETNX', headsKey, ARGV[b], ARGV[b + 4]) end
  local id = ARGV[b]
  specArgs[#specArgs + 1], specArgs[#specArgs + 2] = id, ARGV[b + 1]
  stateArgs[#stateArgs + 1] = id
  stateArgs[#stateArgs + 1] = rec_encode(rec_new('waiting', tonumber(ARGV[b + 2]), 0))
  waitingArgs[#waitingArgs + 1], waitingArgs[#waitingArgs + 2] = now, id
  flowArgs[#flowArgs + 1], flowArgs[#flowArgs + 2] = id, ARGV[b + 3]
end
for i = 1, #specArgs, 2 do redis.call('HSETNX', specsKey, specArgs[i], specArgs[i + 1]) end
for i = 1, #stateArgs, 2 do redis.call('HSETNX', stateKey, stateArgs[i], stateArgs[i + 1]) end
call_sliced('ZADD', waitingKey, waitingArgs, 2000)
call_sliced('HSET', flowjobsKey, flowArgs, 2000)
return n
