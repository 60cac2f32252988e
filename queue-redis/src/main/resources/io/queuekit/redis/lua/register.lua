-- ARGV: consumer id, display info (host pid), heartbeat TTL ms.
redis.call('HSET', K_CONSUMERS, ARGV[1], ARGV[2])
-- the heartbeat's value is its PX, so health can tell the age of the last beat
redis.call('SET', K_HEARTBEAT, ARGV[3], 'PX', ARGV[3])
return 1
