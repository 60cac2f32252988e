-- The promoter. KEYS[11] is the promoter lease (T:promoter). ARGV: now, consumer id, lease ms.
-- Takes or renews the lease (SET NX PX); the holder wakes one waiter once the earliest delayed
-- item is due. It moves nothing: promotion stays lazy and ordered, done by the claim it wakes.
-- A fallback: claims bound their waits by the earliest due time, so it runs rarely (once per
-- heartbeat period, or at the earliest due time the holder knows).
-- Returns {holder 0|1, woken 0|1, earliest due ms or -1}.
local lease = KEYS[11]
local holder = redis.call('GET', lease)
if not holder then
  redis.call('SET', lease, ARGV[2], 'PX', ARGV[3])
elseif holder == ARGV[2] then
  redis.call('PEXPIRE', lease, ARGV[3])
else
  return { 0, 0, -1 }
end
local first = redis.call('ZRANGE', K_DELAYED, 0, 0, 'WITHSCORES')
if not first[2] then
  return { 1, 0, -1 }
end
local due = tonumber(first[2])
if due <= tonumber(ARGV[1]) then
  wake(1)
  return { 1, 1, due }
end
return { 1, 0, due }
