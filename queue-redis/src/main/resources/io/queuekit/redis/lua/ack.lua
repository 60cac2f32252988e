-- ARGV: LENGTH, held, delivery ids...  Returns {room freed, per id: 1 done | 0 stale |
-- 2 unknown}, or {room freed, one code for every id} when the bulk HDEL answered for all.
-- held: how many deliveries the client holds under this consumer, less those its other settles
-- running now are settling (they may or may not have run here yet), or -1. The client sends
-- distinct ids it holds; when the in-flight hash holds at least as many entries as that, they
-- include the same ones (the others are a claim's whose reply is on its way: ids the client
-- does not hold yet, or another settle's not run yet), so one bulk HDEL answers for all: every id done (with GLOBAL_MAX_WORKERS,
-- each counts its lease down). Fewer entries (one swept or recovered) and held = -1 (an id whose
-- last settle got no answer, so it may have run) ask per id instead: one HDEL each, whose answer
-- is the outcome. A bulk HDEL that finds only some (another program's entries made up the
-- count) answers 2 for every id: settled by this call or before it, which is not known, so no
-- lease is counted down (the consumer's leases go with it at its close or recovery); one that
-- finds none, 0 for every id.
guard(1, 2, 5, 7, 10)
-- GLOBAL_MAX_WORKERS: one TYPE when no lease exists (the cap off); else the wake tokens pending,
-- read before the first write (a freed lease wakes one waiter: leasewake)
local leased = leasing()
local tokens = leased and count('LLEN', 6)
local out = { 0 }
local k, held = #ARGV - 2, tonumber(ARGV[2])
if held >= k and redis.call('HLEN', K_INFLIGHT) >= held then
  local n = 0
  for i = 3, #ARGV, CHUNK do
    n = n + redis.call('HDEL', K_INFLIGHT, unpack(ARGV, i, math.min(i + CHUNK - 1, #ARGV)))
  end
  local code = n == k and 1 or n == 0 and 0 or 2
  out[2] = code
  if leased and code == 1 then
    local ids = {}
    for i = 3, #ARGV do
      ids[i - 2] = ARGV[i]
    end
    leasewake(unlease(ids), tokens)
  end
else
  local done = {}
  for i = 3, #ARGV do
    out[i - 1] = redis.call('HDEL', K_INFLIGHT, ARGV[i])
    if leased and out[i - 1] == 1 then
      table.insert(done, ARGV[i])
    end
  end
  if leased then
    leasewake(unlease(done), tokens)
  end
end
out[1] = room(tonumber(ARGV[1]))
return out
