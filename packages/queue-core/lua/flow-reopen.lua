--[[ flow-reopen: a dead node's job is retried: the node is unfinished again,
and so is every descendant that was cancelled for it (and for no other
failed parent), each to wait for its parents once more.
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
Returns: false when the flow is gone or cancelled or the node is not dead,
  else flat { node, job id, 'wait' } for each descendant to put back.
]]
local metaKey, nodesKey, childrenKey, pendingKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local outcomesKey, resultsKey, todoKey, eventsKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
--- @include "flow"

local maxLen, node = tonumber(ARGV[1]), ARGV[2]
local k = { nodes = nodesKey, todo = todoKey }
local state = redis.call('HGET', metaKey, 'state')
if not state or state == 'creating' or state == 'cancelled' then return false end
if redis.call('HGET', outcomesKey, node) ~= 'dead' then return false end
-- A flow that had finished was set to expire; it is not finished any more.
for _, key in ipairs({ metaKey, nodesKey, childrenKey, pendingKey, outcomesKey, resultsKey,
  todoKey, eventsKey }) do
  redis.call('PERSIST', key)
end

local out = {}
local function unfinish(n, outcome)
  redis.call('HDEL', outcomesKey, n)
  redis.call('HINCRBY', metaKey, 'finished', -1)
  redis.call('HINCRBY', metaKey, outcome, -1)
end
-- Whether a parent other than `except` still fails this child.
local function failed_by_other(info, except)
  if info.cont then return false end
  for _, p in ipairs(info.dependsOn) do
    local o = redis.call('HGET', outcomesKey, p)
    if p ~= except and (o == 'dead' or o == 'cancelled') then return true end
  end
  return false
end

unfinish(node, 'dead')
redis.call('HSET', metaKey, 'state', 'running')
flow_emit(eventsKey, maxLen, { 'event', 'job', 'node', node, 'state', 'retried' })
local stack = { node }
while #stack > 0 do
  local parent = table.remove(stack)
  for _, c in ipairs(flow_split(redis.call('HGET', childrenKey, parent))) do
    redis.call('HINCRBY', pendingKey, c, 1)
    local info = flow_node(nodesKey, c)
    local o = redis.call('HGET', outcomesKey, c)
    local decision = redis.call('HGET', todoKey, c)
    if o == 'cancelled' and not failed_by_other(info, parent) then
      unfinish(c, 'cancelled')
      flow_decide(k, out, c, 'wait')
      stack[#stack + 1] = c
    elseif not o and decision and string.sub(decision, 1, 7) == 'cancel|'
      and not failed_by_other(info, parent) then
      redis.call('HDEL', todoKey, c)
    end
  end
end
return out
