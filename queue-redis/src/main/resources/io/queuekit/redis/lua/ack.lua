-- ARGV: LENGTH, delivery ids...  Returns {room freed, 1 done | 0 stale per id...}.
local out = { 0 }
for i = 2, #ARGV do
  table.insert(out, redis.call('HDEL', K_INFLIGHT, ARGV[i]))
end
out[1] = room(tonumber(ARGV[1]))
return out
