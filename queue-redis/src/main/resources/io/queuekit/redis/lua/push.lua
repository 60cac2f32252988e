-- ARGV: now, LENGTH, mark full (1|0), then per item: digest hex ('' on simple queues),
-- due ms (0: ready now), payload.
-- Admits in order; stops at the first item that finds LENGTH waiting. Returns one code per
-- item looked at: 0 added, 1 duplicate, 2 full (always last). Wakes one waiter per item made
-- ready, plus one when a delayed item became the earliest.
local now, length, mark = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local out = {}
local ready = 0
local n = waiting()
-- a delayed item due before every other one is news too: one token, so a waiter claims, learns
-- the new earliest due time and bounds its blocking wait by it
local first = redis.call('ZRANGE', K_DELAYED, 0, 0, 'WITHSCORES')
local earliest = first[2] and tonumber(first[2])
local sooner = 0
for i = 4, #ARGV, 3 do
  local dg, due = ARGV[i], tonumber(ARGV[i + 1])
  if dg ~= '' and redis.call('HEXISTS', K_UNIQUE, dg) == 1 then
    table.insert(out, 1)
  elseif n >= length then
    if mark == '1' then
      redis.call('HSET', K_META, 'full', '1')
    end
    table.insert(out, 2)
    break
  else
    local t = { dc = 0, rc = 0, first = now, dg = dg, payload = ARGV[i + 2] }
    if due > 0 then
      admit(t, due)
      if not earliest or due < earliest then
        earliest = due
        sooner = 1
      end
    else
      admit(t, 'tail')
      ready = ready + 1
    end
    n = n + 1
    table.insert(out, 0)
  end
end
wake(ready + sooner)
return out
