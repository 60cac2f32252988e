-- ARGV: LENGTH, delivery ids...  Returns {room freed, 1 done | 0 stale per id...}.
-- One HDEL per id: its answer is the outcome (an id named twice in one call is settled once,
-- the second finds nothing). Cheaper on the server than one HMGET and one bulk HDEL, whose HMGET
-- copies every entry into the script just to learn that it exists.
guard(1, 2, 5, 7, 10)
-- GLOBAL_MAX_WORKERS: one TYPE when no lease exists (the cap off); else the wake tokens pending,
-- read before the first write (a freed lease wakes one waiter: leasewake)
local leased = leasing()
local tokens = leased and count('LLEN', 6)
local out, done = { 0 }, {}
for i = 2, #ARGV do
  out[i] = redis.call('HDEL', K_INFLIGHT, ARGV[i])
  if leased and out[i] == 1 then
    table.insert(done, ARGV[i])
  end
end
if leased then
  leasewake(unlease(done), tokens)
end
out[1] = room(tonumber(ARGV[1]))
return out
