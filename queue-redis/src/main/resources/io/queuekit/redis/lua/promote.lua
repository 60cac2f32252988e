-- The promoter, and a beat's look at waiting items. The last of KEYS is the promoter lease
-- (T:promoter), after the standard keys. ARGV: now, consumer id, lease ms, GLOBAL_MAX_WORKERS
-- (0: off).
-- Run by every beat that found items waiting (once per heartbeat period) and by the lease holder
-- at the earliest due time it knows. It moves nothing: promotion stays lazy and ordered, done by
-- the claim it wakes.
-- Ready items: one wake token if tokens are short of waiters, so a token lost (with a closed
-- connection) costs at most a heartbeat period.
-- Delayed items: takes the lease (SET NX PX) or renews its own, and wakes one waiter once the
-- earliest is due. Every beat wakes for a due item, so one is due at most a period late while the
-- holder is gone; the holder's run at the due time makes it on time. With nothing delayed the
-- lease is left to lapse: an idle queue needs no promoter.
-- While the cap's slots are all held (capped()) it wakes nobody: a waiter would only find the cap,
-- and the settle that frees a slot wakes one.
-- Returns {holder 0|1, woken 0|1, earliest due ms or -1}.
local lease = KEYS[#KEYS]
guard(1, 2, 6, 8)
expect(lease, redis.call('TYPE', lease)['ok'], 'string')
local hold = capped(tonumber(ARGV[4]) or 0)
if not hold and redis.call('LLEN', K_READY) > 0 then
  wake(1)
end
local due = firstdue()
if not due then
  return { 0, 0, -1 }
end
local holder = redis.call('GET', lease)
if not holder then
  redis.call('SET', lease, ARGV[2], 'PX', ARGV[3])
  holder = ARGV[2]
elseif holder == ARGV[2] then
  redis.call('PEXPIRE', lease, ARGV[3])
end
local woken = 0
if due <= tonumber(ARGV[1]) and not hold then
  wake(1)
  woken = 1
end
return { holder == ARGV[2] and 1 or 0, woken, due }
