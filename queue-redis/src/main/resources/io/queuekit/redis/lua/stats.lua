-- KEYS[15..]: the in-flight hashes of the registered consumers.
-- ARGV: now.  Delayed items already due count as ready (a claim would take them now).
-- Returns {ready, delayed, in flight, dead, dead dropped, oldest first-pushed ms or -1}.
local inflight = 0
for i = 15, #KEYS do
  inflight = inflight + redis.call('HLEN', KEYS[i])
end
local oldest = -1
local first = redis.call('ZRANGE', K_FIRSTS, 0, 0, 'WITHSCORES')
if first[2] then
  oldest = tonumber(first[2])
end
local due = redis.call('ZCOUNT', K_DELAYED, '-inf', ARGV[1])
return { redis.call('LLEN', K_READY) + due, redis.call('ZCARD', K_DELAYED) - due, inflight,
  redis.call('ZCARD', K_DEAD), tonumber(redis.call('HGET', K_META, 'deaddropped') or '0'),
  oldest }
