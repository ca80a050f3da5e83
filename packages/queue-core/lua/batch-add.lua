--[[ batch-add: count jobs into an open batch, before they are enqueued (a
producer that dies in between leaves the batch waiting for jobs that never
come, never firing early). Ids already counted count once.
KEYS[1]  meta      hash   the batch's state and counts
KEYS[2]  members   set    its job ids
ARGV[1..] the job ids
Returns: 1, or 0 when the batch is not open (nothing counted), -1 when there
  is no such batch.
]]
local metaKey, membersKey = KEYS[1], KEYS[2]

local state = redis.call('HGET', metaKey, 'state')
if not state then return -1 end
if state ~= 'open' then return 0 end
local added = 0
for from = 1, #ARGV, 1000 do
  added = added + redis.call('SADD', membersKey, unpack(ARGV, from, math.min(from + 999, #ARGV)))
end
redis.call('HINCRBY', metaKey, 'total', added)
return 1
