--[[ flow-commit: the step that makes a flow exist. Before it the flow is
`creating`: its jobs wait in their queues and nothing reads it as a flow;
after it the flow is `running` and its roots are to run. Run again, it only
hands back the roots' decisions not yet applied.
KEYS[1]  meta      hash   the flow's state and counts
KEYS[2]  nodes     hash   node -> JSON { job, dependsOn, cont }
KEYS[3]  todo      hash   node -> decision not yet applied
KEYS[4]  events    stream the flow's progress
ARGV[1]  events max length
ARGV[2..] the roots (nodes without parents)
Returns: flat { node, job id, decision } for each root still to run; false
  when the flow does not exist.
]]
local metaKey, nodesKey, todoKey, eventsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
--- @include "flow"

local maxLen = tonumber(ARGV[1])
local k = { nodes = nodesKey, todo = todoKey }
local state = redis.call('HGET', metaKey, 'state')
if not state then return false end
local out = {}
if state == 'creating' then
  redis.call('HSET', metaKey, 'state', 'running')
  for i = 2, #ARGV do flow_decide(k, out, ARGV[i], 'run') end
  flow_emit(eventsKey, maxLen, { 'event', 'flow', 'state', 'running' })
  return out
end
for i = 2, #ARGV do
  local decision = redis.call('HGET', todoKey, ARGV[i])
  if decision then
    local info = flow_node(nodesKey, ARGV[i])
    out[#out + 1], out[#out + 2], out[#out + 3] = ARGV[i], info and info.job or '', decision
  end
end
return out
