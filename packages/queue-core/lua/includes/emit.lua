-- One stream entry per script call and event name, carrying the job ids it
-- touched: a batch of 500 completions costs a few XADDs, not 500. Ids go at
-- most 100 to an entry, so that MAXLEN (which counts entries) bounds the
-- stream's bytes too. maxLen 0 turns events off.
local function emit(eventsKey, maxLen, event, ids)
  if maxLen <= 0 or #ids == 0 then return end
  for from = 1, #ids, 100 do
    local to = math.min(from + 99, #ids)
    redis.call('XADD', eventsKey, 'MAXLEN', '~', maxLen, '*', 'event', event,
      'ids', table.concat(ids, ',', from, to))
  end
end
