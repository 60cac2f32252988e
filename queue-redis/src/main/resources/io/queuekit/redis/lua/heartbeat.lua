-- ARGV: consumer id, TTL ms. The beat renews the heartbeat with a plain SET XX; this runs only
-- when that found no heartbeat key: expired (a pause) with the consumer still registered, which
-- sets it again, or reaped. Returns -1 when the consumer was reaped (fenced), else 1.
if redis.call('HEXISTS', K_CONSUMERS, ARGV[1]) == 0 then
  return -1
end
redis.call('SET', K_HEARTBEAT, ARGV[2], 'PX', ARGV[2])
return 1
