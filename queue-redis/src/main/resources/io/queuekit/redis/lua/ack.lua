-- ARGV: LENGTH, then per claim settled here: its first delivery id, its n, how many of its ids
-- follow (m), then those m distinct delivery ids. Returns {room freed, per id: 1 done | 0 stale},
-- or {room freed, one code for every id} when all ids have the same one.
-- A claim settled whole (m = n) is one HDEL of its field (claimof); when that field is gone (a
-- step before exploded it into single entries, or recovery or a sweep took it back: stale) and
-- for a part of a claim (which explodes it first), one HDEL per id, whose answer is the outcome.
-- With GLOBAL_MAX_WORKERS each id settled counts its lease down.
guard(1, 2, 5, 7, 10)
-- GLOBAL_MAX_WORKERS: one TYPE when no lease exists (the cap off); else the wake tokens pending,
-- read before the first write (a freed lease wakes one waiter: leasewake)
local leased = leasing()
local tokens = leased and count('LLEN', 6)
local out = { 0 }
local done = {}
local i = 2
while i <= #ARGV do
  local first, n, m = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  local from, to = i + 3, i + 2 + m
  local f = 'c' .. first .. ':' .. n
  if m == n and redis.call('HDEL', K_INFLIGHT, f) == 1 then
    for j = from, to do
      out[#out + 1] = 1
      done[#done + 1] = ARGV[j]
    end
  else
    if m < n then
      explodefield(f)
    end
    for j = from, to do
      local r = redis.call('HDEL', K_INFLIGHT, ARGV[j])
      out[#out + 1] = r
      if r == 1 then
        done[#done + 1] = ARGV[j]
      end
    end
  end
  i = to + 1
end
if leased then
  leasewake(unlease(done), tokens)
end
out[1] = room(tonumber(ARGV[1]))
if #done == 0 or #done == #out - 1 then
  return { out[1], #done == 0 and 0 or 1 }
end
return out
