-- The bookkeeping of a simple queue's push of ready items, run inside one MULTI (PushTransaction)
-- right after either an RPUSH of its n entries to the ready list (ARGV's pack id '') or an HSET of
-- them as one pack into K_PACKS under the pack id (layout 4: the script then appends the pack's
-- reference, refof). Either way the entries went from a command into Redis without becoming Lua
-- values. ARGV: now (the entries' first-pushed time), LENGTH, n, GLOBAL_MAX_WORKERS, pack id.
-- Returns {admitted, full 0|1}: the first admitted entries went in, and 1 when LENGTH stopped the
-- rest (those are taken back out, and the queue is marked full: the producer waits for room). Two
-- numbers, not push.lua's code per item: a reply of one code per entry cost the server and the
-- client more than the bookkeeping itself.
-- The command before has written already: a key of another type found now takes the entries
-- back out (the list's last n, or the pack: nothing ran in between) before the script stops, so
-- nothing is changed. A ready list (or packs hash) of another type refused that command itself.
local n, pack = tonumber(ARGV[3]), ARGV[5]
local ok, err = pcall(function()
  guard(1, 2, 5, 6, 8, 13, 14, 17)
end)
if not ok then
  if pack ~= '' then
    if redis.call('TYPE', K_PACKS)['ok'] == 'hash' then
      redis.call('HDEL', K_PACKS, pack)
    end
  elseif redis.call('TYPE', K_READY)['ok'] == 'list' then
    redis.call('LTRIM', K_READY, 0, -n - 1)
  end
  error(err)
end
local hold = capped(tonumber(ARGV[4]))
local before, npacked = waiting()
local na = math.max(0, math.min(n, tonumber(ARGV[2]) - (before - (pack == '' and n or 0))))
-- LENGTH admits only some of a pack: those go in one entry each (rare: the queue is almost full)
local list = pack ~= '' and na < n and na > 0 and packof(pack, n)
if pack ~= '' and na < n and not list then
  na = 0
end
local full = 0
if pack == '' then
  if na < n then
    redis.call('LTRIM', K_READY, 0, na - n - 1)
  end
elseif na == n then
  redis.call('RPUSH', K_READY, 'P' .. n .. ':' .. ARGV[1] .. ':' .. pack)
  setpacked(npacked + n - 1)
else
  redis.call('HDEL', K_PACKS, pack)
  if na > 0 then
    redis.call('RPUSH', K_READY, unpack(list, 1, na))
  end
end
if na < n then
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
