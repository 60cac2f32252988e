-- KEYS[12..]: the in-flight hashes of the registered consumers.
-- ARGV: now.  Delayed items already due count as ready (a claim would take them now).
-- Returns {ready, delayed, in flight, dead, dead dropped, oldest first-pushed ms or -1}.
local inflight = 0
for i = 12, #KEYS do
  inflight = inflight + redis.call('HLEN', KEYS[i])
end
local oldest = -1
local function consider(id)
  local e = redis.call('HGET', K_ITEMS, id)
  if e then
    local first = tonumber(string.match(e, '^%d+:%d+:(%d+):'))
    if oldest < 0 or first < oldest then
      oldest = first
    end
  end
end
local head = redis.call('LINDEX', K_READY, 0)
if head then
  consider(head)
end
-- delayed items keep their first-pushed time, so look at the earliest-due few as well
for _, id in ipairs(redis.call('ZRANGE', K_DELAYED, 0, 15)) do
  consider(id)
end
local due = redis.call('ZCOUNT', K_DELAYED, '-inf', ARGV[1])
return { redis.call('LLEN', K_READY) + due, redis.call('ZCARD', K_DELAYED) - due, inflight,
  redis.call('ZCARD', K_DEAD), tonumber(redis.call('HGET', K_META, 'deaddropped') or '0'),
  oldest }
