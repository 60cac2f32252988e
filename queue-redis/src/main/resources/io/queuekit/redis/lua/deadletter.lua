-- ARGV: delivery id, reason, now, DEAD_LETTER_LENGTH.
-- Returns {0} stale, or {1, dropped reason, dropped head, ...}.
local e = redis.call('HGET', K_INFLIGHT, ARGV[1])
if not e then
  return { 0 }
end
redis.call('HDEL', K_INFLIGHT, ARGV[1])
local out = { 1 }
bury(decode(e), ARGV[2], ARGV[3], tonumber(ARGV[4]), out)
return out
