-- ARGV: consumer id, display info (host pid), heartbeat TTL ms, layout version, flavour.
-- Also records the layout version and flavour in meta where they are missing: a FLUSHALL (or a
-- DEL of meta) under a running service leaves the queue's keys to be made again by its steps,
-- but only an open wrote these, and a tool opening the queue (Open.EXISTING) needs them. Every
-- consumer registers again after such a flush (its registration went with it: fenced).
-- every key it writes (meta, the registry, the heartbeat), before the first write
guard(5, 8, 11)
redis.call('HSETNX', K_META, 'version', ARGV[4])
redis.call('HSETNX', K_META, 'flavour', ARGV[5])
redis.call('HSET', K_CONSUMERS, ARGV[1], ARGV[2])
-- the heartbeat's value is its PX, so health can tell the age of the last beat
redis.call('SET', K_HEARTBEAT, ARGV[3], 'PX', ARGV[3])
return 1
