-- ARGV: consumer id, MAX_RECOVERIES, now, DEAD_LETTER_LENGTH, force (1: the consumer retires
-- itself at close; 0: the reaper, which acts only while the heartbeat is still gone).
-- Its in-flight items go back to the head in claim order, recovery count + 1; one reaching
-- MAX_RECOVERIES (> 0) is dead-lettered as a suspected poison item.
-- Returns {-1} when the heartbeat is alive, else {recovered, dead-lettered, dropped...}.
if ARGV[5] ~= '1' and redis.call('EXISTS', K_HEARTBEAT) == 1 then
  return { -1 }
end
redis.call('HDEL', K_CONSUMERS, ARGV[1])
redis.call('DEL', K_HEARTBEAT)
local maxrec, now, cap = tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local entries = inflight()
redis.call('DEL', K_INFLIGHT)
local out = { 0, 0 }
local list = {}
for _, x in ipairs(entries) do
  local t = decode(x.e)
  t.rc = t.rc + 1
  if maxrec > 0 and t.rc >= maxrec then
    bury(t, 'suspected poison item: in flight during ' .. t.rc .. ' consumer crashes (MAX_RECOVERIES='
      .. maxrec .. ')', now, cap, out)
    out[2] = out[2] + 1
  else
    table.insert(list, t)
  end
end
local _, added = admitheads(list)
out[1] = #list
wake(added)
return out
