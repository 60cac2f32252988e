-- ARGV: consumer id, idle heartbeat ms. The beat of a consumer that was busy and now holds
-- nothing: when its in-flight hash is empty too, it leaves T:busy and its heartbeat takes the idle
-- length (nobody need watch it closely: it holds nothing to recover). Atomic with claims, which
-- mark it busy again. Returns -1 when the consumer was reaped (fenced), 1 when it rested, 0 when
-- entries are still in flight under it (the beat sweeps them).
if redis.call('HEXISTS', K_CONSUMERS, ARGV[1]) == 0 then
  return -1
end
guard(11, 15)
if redis.call('HLEN', K_INFLIGHT) > 0 then
  return 0
end
redis.call('SREM', K_BUSY, ARGV[1])
redis.call('SET', K_HEARTBEAT, ARGV[2], 'PX', ARGV[2])
return 1
