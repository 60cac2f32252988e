-- The bookkeeping of a simple queue's push of ready items, run inside one MULTI right after an
-- RPUSH of its n entries to the ready list (PushTransaction): the entries went from the command
-- into the list without becoming Lua values. ARGV: now, LENGTH, n, GLOBAL_MAX_WORKERS. Returns
-- {admitted, full 0|1}: the first admitted entries went in, and 1 when LENGTH stopped the rest
-- (those are taken back out of the list's tail, and the queue is marked full: the producer waits
-- for room). Two numbers, not push.lua's code per item: a reply of one code per entry cost the
-- server and the client more than the bookkeeping itself.
-- The RPUSH has written already: a key of another type found now takes the n entries back out
-- (the list's last n: nothing ran in between) before the script stops, so nothing is changed. A
-- ready list of another type refused the RPUSH itself.
local n = tonumber(ARGV[3])
local ok, err = pcall(function()
  guard(1, 2, 5, 6, 8, 13, 14)
end)
if not ok then
  if redis.call('TYPE', K_READY)['ok'] == 'list' then
    redis.call('LTRIM', K_READY, 0, -n - 1)
  end
  error(err)
end
local hold = capped(tonumber(ARGV[4]))
local na = math.max(0, math.min(n, tonumber(ARGV[2]) - (waiting() - n)))
local full = 0
if na < n then
  redis.call('LTRIM', K_READY, 0, na - n - 1)
  redis.call('HSET', K_META, 'full', '1')
  full = 1
end
if na > 0 then
  firstsadd(ARGV[1], na)
  if not hold then
    wake(na)
  end
end
return { na, full }
