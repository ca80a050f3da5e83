-- A schedule's revision is stored as "<rev>|<since ms>|<status>|<json>"; scripts read
-- only the fields before the JSON.
local function revision_of(stored)
  return tonumber(string.match(stored, '^(%d+)|'))
end

local function json_of(stored)
  return string.match(stored, '^%d+|%d+|%a+|(.*)$')
end

-- Called with the revision a write replaces. While the schedule is due at or before
-- `now`, the leader has not decided a slot that has come, and that slot belongs to the
-- replaced revision: keep it in the history (at most `keep`, oldest dropped first) for
-- the leader. Otherwise every slot of the older revisions is decided: forget them.
local function retire_revision(historyKey, dueKey, id, stored, now, keep)
  local due = redis.call('ZSCORE', dueKey, id)
  if not due or tonumber(due) > now then
    redis.call('HDEL', historyKey, id)
    return
  end
  local older = redis.call('HGET', historyKey, id)
  local list = older and (older .. '\n' .. stored) or stored
  local count = select(2, string.gsub(list, '\n', '')) + 1
  while count > keep do
    list = string.sub(list, string.find(list, '\n', 1, true) + 1)
    count = count - 1
  end
  redis.call('HSET', historyKey, id, list)
end

-- Makes the leader look at the schedule now (`nowText`, ms), unless it must earlier.
local function due_by(dueKey, id, nowText)
  local due = redis.call('ZSCORE', dueKey, id)
  if not due or tonumber(due) > tonumber(nowText) then
    redis.call('ZADD', dueKey, nowText, id)
  end
end
