-- ARGV: delivery id, now, delay ms.  Returns 0 stale, 1 done, 2 merged.
local e = redis.call('HGET', K_INFLIGHT, ARGV[1])
if not e then
  return 0
end
redis.call('HDEL', K_INFLIGHT, ARGV[1])
local t = decode(e)
t.dc = t.dc + 1
local delay = tonumber(ARGV[3])
local added
if delay > 0 then
  local due = tonumber(ARGV[2]) + delay
  local first = firstdue()
  added = admit(t, due)
  -- due before every other delayed item: one token, so a waiter learns the new earliest due
  if added and (not first or due < first) then
    wake(1)
  end
else
  added = admit(t, 'tail')
  if added then
    wake(1)
  end
end
if added then
  return 1
end
return 2
