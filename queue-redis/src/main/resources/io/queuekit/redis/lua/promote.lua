-- The promoter. KEYS[11] is the promoter lease (T:promoter). ARGV: now, consumer id, lease ms.
-- Takes or renews the lease (SET NX PX); the holder moves due delayed items to the tail and wakes
-- one waiter per item. Returns {holder 0|1, promoted, earliest remaining due ms or -1}.
local lease = KEYS[11]
local holder = redis.call('GET', lease)
if not holder then
  redis.call('SET', lease, ARGV[2], 'PX', ARGV[3])
elseif holder == ARGV[2] then
  redis.call('PEXPIRE', lease, ARGV[3])
else
  return { 0, 0, -1 }
end
local n = promote(ARGV[1])
wake(n)
local first = redis.call('ZRANGE', K_DELAYED, 0, 0, 'WITHSCORES')
if first[2] then
  return { 1, n, tonumber(first[2]) }
end
return { 1, n, -1 }
