-- Ready jobs wait in one list per priority level (0 runs first, 9 last);
-- readyKeys holds the ten list keys in that order, always the last ten KEYS.
local function ready_key(readyKeys, priority)
  local p = tonumber(priority) or 5
  if p < 0 then p = 0 elseif p > 9 then p = 9 end
  return readyKeys[p + 1]
end

local function ready_keys(from)
  local out = {}
  for i = 0, 9 do out[i + 1] = KEYS[from + i] end
  return out
end
