--[[ flow-done: record that nodes' jobs finished (completed, dead or
cancelled) and decide their children: a child runs once all its parents are
done; a dead or cancelled parent cancels it, unless it continues on a
parent's failure. Idempotent: a node's outcome is recorded once, and a
repeated call hands back the children's decisions still to apply. One call
takes the nodes of one flow that a worker stored together (an ack batch).
KEYS[1]  meta      hash   the flow's state and counts
KEYS[2]  nodes     hash   node -> JSON { job, dependsOn, cont }
KEYS[3]  children  hash   node -> children, comma-separated
KEYS[4]  pending   hash   node -> parents not yet finished
KEYS[5]  outcomes  hash   node -> completed | dead | cancelled
KEYS[6]  results   hash   node -> result JSON
KEYS[7]  todo      hash   node -> decision not yet applied
KEYS[8]  events    stream the flow's progress
ARGV[1]  events max length
ARGV[2]  ms to keep the flow once every job finished
ARGV[3]  number of nodes n
then n groups of 3: node, outcome (completed, dead or cancelled), result JSON ('' = none)
Returns: flat { node, job id, decision } for the children to act on, each child once.
]]
local metaKey, nodesKey, childrenKey, pendingKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local outcomesKey, resultsKey, todoKey, eventsKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
--- @include "now"
--- @include "flow"

local maxLen, keepMs, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local k = { nodes = nodesKey, todo = todoKey }
local state = redis.call('HGET', metaKey, 'state')
if not state or state == 'creating' then return {} end
local out, handed = {}, {}

-- A node seen before: its children's decisions not yet applied, again.
local function hand_back(kids)
  for _, c in ipairs(kids) do
    local decision = not handed[c] and redis.call('HGET', todoKey, c)
    if decision and decision ~= 'wait' then
      handed[c] = true
      local info = flow_node(nodesKey, c)
      out[#out + 1], out[#out + 2], out[#out + 3] = c, info and info.job or '', decision
    end
  end
end

local function decide(c, decision)
  handed[c] = true
  flow_decide(k, out, c, decision)
end

local finished = nil
for i = 1, n do
  local b = 1 + i * 3
  local node, outcome, result = ARGV[b], ARGV[b + 1], ARGV[b + 2]
  local kids = flow_split(redis.call('HGET', childrenKey, node))
  if redis.call('HSETNX', outcomesKey, node, outcome) == 0 then
    hand_back(kids)
  else
    redis.call('HDEL', todoKey, node)
    if result ~= '' then redis.call('HSET', resultsKey, node, result) end
    finished = redis.call('HINCRBY', metaKey, 'finished', 1)
    if outcome ~= 'completed' then redis.call('HINCRBY', metaKey, outcome, 1) end
    local self = flow_node(nodesKey, node)
    flow_emit(eventsKey, maxLen, { 'event', 'job', 'node', node, 'job', self and self.job or '',
      'state', outcome })
    for _, c in ipairs(kids) do
      local left = redis.call('HINCRBY', pendingKey, c, -1)
      -- A completed parent with others still to finish decides nothing: a fan-in's
      -- parents cost one call each on its behalf, not three.
      local decides = state == 'cancelled' or outcome ~= 'completed' or left <= 0
      if decides and redis.call('HEXISTS', outcomesKey, c) == 0 then
        local decision = redis.call('HGET', todoKey, c)
        if not decision or decision == 'wait' then
          if state == 'cancelled' then
            decide(c, 'cancel|flow')
          -- Read only here: a fan-in's node lists all its parents, decoded per parent otherwise.
          elseif outcome ~= 'completed' and not flow_node(nodesKey, c).cont then
            decide(c, 'cancel|' .. node)
          elseif left <= 0 then
            decide(c, 'run')
          end
        end
      end
    end
  end
end

if finished and finished >= tonumber(redis.call('HGET', metaKey, 'total')) then
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
