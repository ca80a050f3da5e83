-- Milliseconds from the Redis server's clock, so that every deadline and due
-- time is measured by one clock, whatever the clocks of the workers say.
local function server_now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
