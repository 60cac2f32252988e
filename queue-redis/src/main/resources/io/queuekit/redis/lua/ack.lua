-- ARGV: LENGTH, delivery ids...  Returns {room freed, 1 done | 0 stale per id...}.
-- One HDEL per id: its answer is the outcome (an id named twice in one call is settled once,
-- the second finds nothing). Cheaper on the server than one HMGET and one bulk HDEL, whose HMGET
-- copies every entry into the script just to learn that it exists.
guard(1, 2, 5, 7, 10)
local out = { 0 }
for i = 2, #ARGV do
  out[i] = redis.call('HDEL', K_INFLIGHT, ARGV[i])
end
out[1] = room(tonumber(ARGV[1]))
return out
