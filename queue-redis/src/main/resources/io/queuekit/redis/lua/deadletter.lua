-- ARGV: delivery id, reason, now, DEAD_LETTER_LENGTH, the field of its claim (claimof; '' when
-- not known), exploded first when it is still whole.
-- Returns {0} stale, or {1, dropped reason, dropped head, ...}.
guard(5, 9, 10, 17)
guardseq()
local leased = leasing()
local tokens = leased and checked(6, 'LLEN')
explodefield(ARGV[5])
local e = redis.call('HGET', K_INFLIGHT, ARGV[1])
if not e then
  return { 0 }
end
redis.call('HDEL', K_INFLIGHT, ARGV[1])
if leased then
  leasewake(unlease({ ARGV[1] }), tokens)
end
local out = { 1 }
local t = decode(e)
if t then
  bury(t, ARGV[2], ARGV[3], tonumber(ARGV[4]), out)
else
  -- malformed in flight: dead anyway, with its raw bytes
  buryraw(e, 'the in-flight hash ' .. K_INFLIGHT .. ' (dead-lettered for: ' .. ARGV[2] .. ')',
    ARGV[3], tonumber(ARGV[4]), out)
end
return out
