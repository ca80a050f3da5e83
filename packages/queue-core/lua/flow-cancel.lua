--[[ flow-cancel: cancel a flow: every node not finished is to be cancelled
(its job stopped if it runs), and no child will run any more. Run again, it
hands back the cancellations still to apply.
KEYS[1]  meta      hash   the flow's state and counts
KEYS[2]  nodes     hash   node -> JSON { job, dependsOn, cont }
KEYS[3]  outcomes  hash   node -> completed | dead | cancelled
KEYS[4]  todo      hash   node -> decision not yet applied
KEYS[5]  events    stream the flow's progress
ARGV[1]  events max length
Returns: false when there is no such flow (or it was never committed), else
  flat { node, job id, decision } for each node to cancel.
]]
local metaKey, nodesKey, outcomesKey, todoKey, eventsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
--- @include "flow"

local maxLen = tonumber(ARGV[1])
local k = { nodes = nodesKey, todo = todoKey }
local state = redis.call('HGET', metaKey, 'state')
if not state or state == 'creating' then return false end
local out = {}
if state == 'completed' or state == 'failed' then return out end
if state ~= 'cancelled' then
  redis.call('HSET', metaKey, 'state', 'cancelled')
  flow_emit(eventsKey, maxLen, { 'event', 'flow', 'state', 'cancelled' })
end
local all = redis.call('HKEYS', nodesKey)
for _, node in ipairs(all) do
  if redis.call('HEXISTS', outcomesKey, node) == 0 then flow_decide(k, out, node, 'cancel|flow') end
end
return out
