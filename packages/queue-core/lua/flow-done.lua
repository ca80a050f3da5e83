--[[ flow-done: record that a node's job finished (completed, dead or
cancelled) and decide its children: a child runs once all its parents are
done; a dead or cancelled parent cancels it, unless it continues on a
parent's failure. Idempotent: a node's outcome is recorded once, and a
repeated call hands back the children's decisions still to apply.
KEYS[1]  meta      hash   the flow's state and counts
KEYS[2]  nodes     hash   node -> JSON { job, dependsOn, cont }
KEYS[3]  children  hash   node -> children, comma-separated
KEYS[4]  pending   hash   node -> parents not yet finished
KEYS[5]  outcomes  hash   node -> completed | dead | cancelled
KEYS[6]  results   hash   node -> result JSON
KEYS[7]  todo      hash   node -> decision not yet applied
KEYS[8]  events    stream the flow's progress
ARGV[1]  events max length
ARGV[2]  node
ARGV[3]  outcome: completed, dead or cancelled
ARGV[4]  result JSON ('' = none)
ARGV[5]  ms to keep the flow once every job finished
Returns: flat { node, job id, decision } for the children to act on.
]]
local metaKey, nodesKey, childrenKey, pendingKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local outcomesKey, resultsKey, todoKey, eventsKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
--- @include "now"
--- @include "flow"

local maxLen, node, outcome, result = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4]
local keepMs = tonumber(ARGV[5])
local k = { nodes = nodesKey, todo = todoKey }
local state = redis.call('HGET', metaKey, 'state')
if not state or state == 'creating' then return {} end
local kids = flow_split(redis.call('HGET', childrenKey, node))
local out = {}

if redis.call('HEXISTS', outcomesKey, node) == 1 then
  for _, c in ipairs(kids) do
    local decision = redis.call('HGET', todoKey, c)
    if decision and decision ~= 'wait' then
      local info = flow_node(nodesKey, c)
      out[#out + 1], out[#out + 2], out[#out + 3] = c, info and info.job or '', decision
    end
  end
  return out
end

redis.call('HSET', outcomesKey, node, outcome)
redis.call('HDEL', todoKey, node)
if result ~= '' then redis.call('HSET', resultsKey, node, result) end
local finished = redis.call('HINCRBY', metaKey, 'finished', 1)
if outcome ~= 'completed' then redis.call('HINCRBY', metaKey, outcome, 1) end
local self = flow_node(nodesKey, node)
flow_emit(eventsKey, maxLen, { 'event', 'job', 'node', node, 'job', self and self.job or '',
  'state', outcome })

for _, c in ipairs(kids) do
  local left = redis.call('HINCRBY', pendingKey, c, -1)
  if redis.call('HEXISTS', outcomesKey, c) == 0 then
    local decision = redis.call('HGET', todoKey, c)
    if not decision or decision == 'wait' then
      local info = flow_node(nodesKey, c)
      if state == 'cancelled' then
        flow_decide(k, out, c, 'cancel|flow')
      elseif outcome ~= 'completed' and not info.cont then
        flow_decide(k, out, c, 'cancel|' .. node)
      elseif left <= 0 then
        flow_decide(k, out, c, 'run')
      end
    end
  end
end

if finished >= tonumber(redis.call('HGET', metaKey, 'total')) then
  local final = state
  if state ~= 'cancelled' then
    local failed = (tonumber(redis.call('HGET', metaKey, 'dead')) or 0)
      + (tonumber(redis.call('HGET', metaKey, 'cancelled')) or 0)
    final = failed > 0 and 'failed' or 'completed'
  end
  redis.call('HSET', metaKey, 'state', final, 'finishedAt', server_now())
  flow_emit(eventsKey, maxLen, { 'event', 'flow', 'state', final })
  if keepMs > 0 then
    for _, key in ipairs({ metaKey, nodesKey, childrenKey, pendingKey, outcomesKey, resultsKey,
      todoKey, eventsKey }) do
      redis.call('PEXPIRE', key, keepMs)
    end
  end
end
return out
