--[[ schedules-save: create a schedule, or give it a new revision (replace, patch, rename,
pause, resume), and have the leader look at it at once.
KEYS[1]  names    hash    name -> schedule id
KEYS[2]  defs     hash    id -> current revision "<rev>|<since ms>|<status>|<json>"
KEYS[3]  history  hash    id -> older revisions that may still owe slots, "\n"-separated, oldest first
KEYS[4]  slots    hash    id -> slot record; written by schedulers older than stored schedules: name -> record
KEYS[5]  due      zset    id -> when the leader must next look at the schedule, ms
KEYS[6]  nudge    list    at most one marker; the leader blocks on it
KEYS[7]  seq      string  counter for new ids
ARGV[1]  the schedule's name now (the name to create, for a new one)
ARGV[2]  expected revision: 0 = no schedule has the name (create); n = it is at revision n
ARGV[3]  new name ('' keeps the name)
ARGV[4]  status of the new revision: active | paused
ARGV[5]  the new revision's JSON (not read here)
ARGV[6]  older revisions kept at most
ARGV[7]  now, ms ('' = the server's clock)
Returns: {id, revision, since ms}; {-1} the name's schedule is not at the expected revision
  (nothing written: read it again); {-2} the new name belongs to another schedule.
]]
local namesKey, defsKey, historyKey = KEYS[1], KEYS[2], KEYS[3]
local slotsKey, dueKey, nudgeKey, seqKey = KEYS[4], KEYS[5], KEYS[6], KEYS[7]
--- @include "now"
--- @include "wake"
--- @include "schedule-revisions"
local name, expected, newName = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local status, json, keep = ARGV[4], ARGV[5], tonumber(ARGV[6])
-- Kept as text: tostring() of a Lua number could turn 13 digits into 1.7e+12.
local nowText = ARGV[7] ~= '' and ARGV[7] or string.format('%d', server_now())
local now = tonumber(nowText)

local id = redis.call('HGET', namesKey, name)
local current = id and redis.call('HGET', defsKey, id)
if expected == 0 then
  if id then return { -1 } end
elseif not current or revision_of(current) ~= expected then
  return { -1 }
end
if newName ~= '' and newName ~= name then
  if redis.call('HEXISTS', namesKey, newName) == 1 then return { -2 } end
  redis.call('HDEL', namesKey, name)
  name = newName
end

local revision
if current then
  revision = expected + 1
  retire_revision(historyKey, dueKey, id, current, now, keep)
else
  revision = 1
  id = 's:' .. redis.call('INCR', seqKey)
  -- A scheduler older than stored schedules kept the slot record under the name: the
  -- schedule carries it on, so a slot it fired is not fired again.
  local legacy = redis.call('HGET', slotsKey, name)
  if legacy then
    redis.call('HSET', slotsKey, id, legacy)
    redis.call('HDEL', slotsKey, name)
  end
end
redis.call('HSET', namesKey, name, id)
redis.call('HSET', defsKey, id, revision .. '|' .. nowText .. '|' .. status .. '|' .. json)
due_by(dueKey, id, nowText)
wake(nudgeKey)
return { id, revision, nowText }
