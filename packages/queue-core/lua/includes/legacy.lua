-- Storage v1 kept a job as one `jobs` hash field: its record, a newline, its
-- spec. The record layout is the one record.lua reads, so converting a job is
-- a split: the spec goes to `specs` once, the record to `state`. Scripts call
-- this for ids they find in neither (a job a v1 producer wrote, or one not yet
-- reached by migrate()); each converted id is noted in `adopted` so that
-- migrate() can index its old id. k needs specs, state, legacy, adopted.
-- Returns how many of ids were converted.
local function legacy_adopt(k, ids)
  if #ids == 0 or redis.call('EXISTS', k.legacy) == 0 then return 0 end
  local n = 0
  for _, id in ipairs(ids) do
    local v = redis.call('HGET', k.legacy, id)
    if v then
      local cut = string.find(v, '\n', 1, true)
      local head = cut and string.sub(v, 1, cut - 1) or v
      local spec = cut and string.sub(v, cut + 1) or ''
      -- A v1 value that is not a record (written by hand) was all spec.
      if not rec_decode(head) then head, spec = 'queued|0|0|5||0|0|0', v end
      if spec ~= '' then redis.call('HSETNX', k.specs, id, spec) end
      redis.call('HSETNX', k.state, id, head)
      redis.call('HDEL', k.legacy, id)
      redis.call('SADD', k.adopted, id)
      n = n + 1
    end
  end
  return n
end

-- Decoded records of ids (nil where none); v1 jobs among those without one are
-- converted first.
local function rec_read_many(k, ids)
  local recs = hmget_many(k.state, ids)
  local missing = {}
  for i = 1, #ids do if not recs[i] then missing[#missing + 1] = ids[i] end end
  if #missing > 0 and legacy_adopt(k, missing) > 0 then recs = hmget_many(k.state, ids) end
  for i = 1, #ids do recs[i] = rec_decode(recs[i]) end
  return recs
end
