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
local hold = capped(tonumber(ARGV[4]))
-- Everything that decides what the script writes is read first, inside the pcall (each read
-- checks its key's type), then the keys it writes and has not read are guarded. The packs hash
-- is guarded first when the command before wrote a pack into it: an HSET that a key of another
-- type refused did not stop the transaction, so only this check keeps the script from adding a
-- reference to a pack that is not there. (An RPUSH that was refused is found by the waiting
-- count's read of the ready list.)
local before, npacked, na, list, free
local ok, err = pcall(function()
  if pack ~= '' then
    guard(17)
  end
  before, npacked = waiting()
  na = math.max(0, math.min(n, tonumber(ARGV[2]) - (before - (pack == '' and n or 0))))
  -- LENGTH admits only some of a pack: those go in one entry each (rare: the queue is almost
  -- full)
  list = pack ~= '' and na < n and na > 0 and packof(pack, n)
  if pack ~= '' and na < n and not list then
    na = 0
  end
  if pack ~= '' or na < n then
    -- the packed count, or the full mark
    guard(5)
  end
  if na > 0 then
    guard(13, 14)
    free = not hold and wakeroom()
  end
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
    wake(na, free)
  end
end
return { na, full }
