--[[ schedules-delete: delete a schedule. The name is free at once. If the schedule is
due (a slot from before the delete came and the leader has not decided it yet), a
tombstone revision leaves that slot to the leader, which then removes the rest;
otherwise everything goes now.
KEYS[1]  names    hash    name -> schedule id
KEYS[2]  defs     hash    id -> current revision "<rev>|<since ms>|<status>|<json>"
KEYS[3]  history  hash    id -> older revisions, "\n"-separated
KEYS[4]  slots    hash    id -> slot record
KEYS[5]  due      zset    id -> when the leader must next look at the schedule, ms
KEYS[6]  nudge    list    at most one marker; the leader blocks on it
KEYS[7]  runs     list    this schedule's last fires
KEYS[8]  missed   list    this schedule's last missed or skipped slots
ARGV[1]  name
ARGV[2]  expected schedule id
ARGV[3]  expected revision
ARGV[4]  older revisions kept at most
ARGV[5]  now, ms ('' = the server's clock)
Returns: 1 deleted; 2 deleted, owed slots left to the leader; -1 the name is not that
  schedule at that revision (nothing written: read it again).
]]
local namesKey, defsKey, historyKey, slotsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local dueKey, nudgeKey, runsKey, missedKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
--- @include "now"
--- @include "wake"
--- @include "schedule-revisions"
local name, id, expected, keep = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
-- Kept as text: tostring() of a Lua number could turn 13 digits into 1.7e+12.
local nowText = ARGV[5] ~= '' and ARGV[5] or string.format('%d', server_now())
local now = tonumber(nowText)

if redis.call('HGET', namesKey, name) ~= id then return -1 end
local current = redis.call('HGET', defsKey, id)
if not current or revision_of(current) ~= expected then return -1 end
redis.call('HDEL', namesKey, name)

local due = redis.call('ZSCORE', dueKey, id)
if due and tonumber(due) <= now then
  retire_revision(historyKey, dueKey, id, current, now, keep)
  redis.call('HSET', defsKey, id, (expected + 1) .. '|' .. nowText .. '|deleted|' .. json_of(current))
  wake(nudgeKey)
  return 2
end
redis.call('HDEL', defsKey, id)
redis.call('HDEL', historyKey, id)
redis.call('HDEL', slotsKey, id)
redis.call('ZREM', dueKey, id)
redis.call('DEL', runsKey, missedKey)
return 1
