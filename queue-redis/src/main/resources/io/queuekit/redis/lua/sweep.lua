-- ARGV: now, DEAD_LETTER_LENGTH, then the delivery ids this consumer holds in memory. Every
-- other entry in flight under its id (a claim whose reply was lost) goes back to the head in
-- claim order, counts unchanged; a malformed one is dead-lettered. Returns {how many went back,
-- then the tail}.
guard(1, 4, 5, 6, 8, 9, 10, 13, 14)
guardseq()
local leased = leasing()
local now, cap = ARGV[1], tonumber(ARGV[2])
local held = {}
for i = 3, #ARGV do
  held[ARGV[i]] = true
end
local list, made, dropped = {}, {}, {}
local done = {}
explodeall()
for _, x in ipairs(inflight()) do
  if not held[x.f] then
    redis.call('HDEL', K_INFLIGHT, x.f)
    table.insert(done, x.f)
    local t = decode(x.e)
    if t then
      table.insert(list, t)
    else
      buryraw(x.e, 'the in-flight hash ' .. K_INFLIGHT, now, cap, dropped, made)
    end
  end
end
local _, added = admitheads(list)
wake(math.max(added, leased and unlease(done) or 0))
return tail({ #list }, made, dropped)
