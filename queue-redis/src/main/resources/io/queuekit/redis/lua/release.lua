-- ARGV: delivery id, now, delay ms, DEAD_LETTER_LENGTH, the field of its claim (claimof; '' when
-- not known), exploded first when it is still whole.
-- Returns {0 stale | 1 done | 2 merged | 3 malformed (dead-lettered), then the tail}.
guard(1, 2, 4, 5, 6, 8, 9, 10, 13, 14, 17)
guardseq()
local leased = leasing()
local made, dropped = {}, {}
explodefield(ARGV[5])
local e = redis.call('HGET', K_INFLIGHT, ARGV[1])
if not e then
  return tail({ 0 }, made, dropped)
end
redis.call('HDEL', K_INFLIGHT, ARGV[1])
if leased then
  wake(unlease({ ARGV[1] }))
end
local t = decode(e)
if not t then
  buryraw(e, 'the in-flight hash ' .. K_INFLIGHT, ARGV[2], tonumber(ARGV[4]), dropped, made)
  return tail({ 3 }, made, dropped)
end
t.dc = t.dc + 1
local delay = tonumber(ARGV[3])
local added
if delay > 0 then
  local due = tonumber(ARGV[2]) + delay
  local first = firstdue()
  added = admit(t, due)
  -- due before every other delayed item: one token, so a waiter learns the new earliest due
  if added and (not first or due < first) then
    wake(1)
  end
else
  added = admit(t, 'tail')
  if added then
    wake(1)
  end
end
return tail({ added and 1 or 2 }, made, dropped)
