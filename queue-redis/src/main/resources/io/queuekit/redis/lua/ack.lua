-- ARGV: LENGTH, delivery ids...  Returns {room freed, 1 done | 0 stale per id...}.
-- Two bulk calls per chunk, not one HDEL per id: HMGET tells which ids are in flight, one HDEL
-- drops them.
local out = { 0 }
local seen = {}
for i = 2, #ARGV, CHUNK do
  local last = math.min(i + CHUNK - 1, #ARGV)
  local got = redis.call('HMGET', K_INFLIGHT, unpack(ARGV, i, last))
  redis.call('HDEL', K_INFLIGHT, unpack(ARGV, i, last))
  for j = 1, #got do
    local id = ARGV[i + j - 1]
    -- an id named twice in one call is settled once: the second is stale, as with one HDEL each
    if got[j] and not seen[id] then
      seen[id] = true
      out[#out + 1] = 1
    else
      out[#out + 1] = 0
    end
  end
end
out[1] = room(tonumber(ARGV[1]))
return out
