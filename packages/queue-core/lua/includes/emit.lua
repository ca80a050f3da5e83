-- One stream entry per script call and event name, carrying every job id it
-- touched: a batch of 500 completions costs one XADD, not 500.
-- maxLen 0 turns events off.
local function emit(eventsKey, maxLen, event, ids)
  if maxLen <= 0 or #ids == 0 then return end
  redis.call('XADD', eventsKey, 'MAXLEN', '~', maxLen, '*', 'event', event,
    'ids', table.concat(ids, ','))
end
