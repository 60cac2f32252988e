-- ARGV: consumer id, display info (host pid), heartbeat TTL ms.
redis.call('HSET', K_CONSUMERS, ARGV[1], ARGV[2])
redis.call('SET', K_HEARTBEAT, '1', 'PX', ARGV[3])
return 1
