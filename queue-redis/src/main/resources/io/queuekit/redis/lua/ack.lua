-- ARGV: LENGTH, delivery ids...  Returns {room freed, 1 done | 0 stale per id...}.
-- Two bulk calls, not one HDEL per id: HMGET tells which ids are in flight, one HDEL drops them.
local out = { 0 }
local ids = {}
for i = 2, #ARGV do
  table.insert(ids, ARGV[i])
end
local found = {}
for i = 1, #ids, CHUNK do
  local last = math.min(i + CHUNK - 1, #ids)
  local got = redis.call('HMGET', K_INFLIGHT, unpack(ids, i, last))
  for j = 1, #got do
    local id = ids[i + j - 1]
    -- an id named twice in one call is settled once: the second is stale, as with one HDEL each
    if got[j] and not found[id] then
      found[id] = true
      table.insert(out, 1)
    else
      table.insert(out, 0)
    end
  end
end
local gone = {}
for id in pairs(found) do
  table.insert(gone, id)
end
if #gone > 0 then
  bulk('HDEL', K_INFLIGHT, gone)
end
out[1] = room(tonumber(ARGV[1]))
return out
