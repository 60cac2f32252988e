-- ARGV: consumer id, MAX_RECOVERIES, now, DEAD_LETTER_LENGTH, force (1: the consumer retires
-- itself at close; 0: the reaper, which acts only while the heartbeat is still gone).
-- Its in-flight items go back to the head in claim order, recovery count + 1; one reaching
-- MAX_RECOVERIES (> 0) is dead-lettered as a suspected poison item, a malformed one as data.
-- Returns {-1} when the heartbeat is alive, else {recovered, dead-lettered, then the tail: the
-- dead letters made here, dropped pairs}.
if ARGV[5] ~= '1' and redis.call('EXISTS', K_HEARTBEAT) == 1 then
  return { -1 }
end
guard(1, 4, 5, 6, 8, 9, 10, 13, 14, 15, 17)
guardseq()
-- GLOBAL_MAX_WORKERS: the consumer's leases die with it (at most the cap's few members to scan);
-- read before the first write. Done whatever this process's own setting says.
local gone = {}
if leasing() then
  local suffix = ':' .. ARGV[1]
  for _, m in ipairs(redis.call('ZRANGE', K_LEASES, 0, -1)) do
    if string.sub(m, -#suffix) == suffix then
      table.insert(gone, m)
    end
  end
end
redis.call('HDEL', K_CONSUMERS, ARGV[1])
redis.call('SREM', K_BUSY, ARGV[1])
redis.call('DEL', K_HEARTBEAT)
local maxrec, now, cap = tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local entries, packs = inflight()
redis.call('DEL', K_INFLIGHT)
if #packs > 0 then
  bulk('HDEL', K_PACKS, packs)
end
local out, made, dropped = { 0, 0 }, {}, {}
local list = {}
for _, x in ipairs(entries) do
  local t = decode(x.e)
  if not t then
    buryraw(x.e, 'the in-flight hash ' .. K_INFLIGHT, now, cap, dropped, made)
    out[2] = out[2] + 1
  else
    t.rc = t.rc + 1
    if maxrec > 0 and t.rc >= maxrec then
      bury(t, 'suspected poison item: in flight during ' .. t.rc .. ' consumer crashes (MAX_RECOVERIES='
        .. maxrec .. ')', now, cap, dropped, made)
      out[2] = out[2] + 1
    else
      table.insert(list, t)
    end
  end
end
local _, added = admitheads(list)
out[1] = #list
if #gone > 0 then
  bulk('ZREM', K_LEASES, gone)
end
wake(math.max(added, #gone))
return tail(out, made, dropped)
