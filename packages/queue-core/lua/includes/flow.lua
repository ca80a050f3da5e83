-- Helpers of the flow scripts (flow-*.lua on a flow's keys). A decision is what
-- must happen to a node's job in its own queue, applied by flow-release.lua
-- there: run, cancel|<parent> (or cancel|flow), wait. It is kept in `todo` until
-- the node's outcome is recorded (or, for run and wait, until the caller saw it
-- applied), so that the FlowSweeper can apply it again after a crash.

-- "a,b,c" -> { 'a', 'b', 'c' }
local function flow_split(s)
  local out = {}
  if not s or s == '' then return out end
  for part in string.gmatch(s, '[^,]+') do out[#out + 1] = part end
  return out
end

local function flow_node(nodesKey, node)
  local raw = redis.call('HGET', nodesKey, node)
  if not raw then return nil end
  return cjson.decode(raw)
end

-- Records a decision for node and adds { node, job id, decision } to out.
local function flow_decide(k, out, node, decision)
  redis.call('HSET', k.todo, node, decision)
  local info = flow_node(k.nodes, node)
  out[#out + 1] = node
  out[#out + 1] = info and info.job or ''
  out[#out + 1] = decision
end

-- One entry on the flow's progress stream.
local function flow_emit(eventsKey, maxLen, fields)
  if maxLen <= 0 then return end
  redis.call('XADD', eventsKey, 'MAXLEN', '~', maxLen, '*', unpack(fields))
end
