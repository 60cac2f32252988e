-- ARGV: now, LENGTH, mark full (1|0), then per item: digest hex ('' on simple queues),
-- due ms (0: ready now), payload.
-- Admits in order; stops at the first item that finds LENGTH waiting. Returns one code per
-- item looked at: 0 added, 1 duplicate, 2 full (always last).
local now, length, mark = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local out = {}
local ready = 0
local n = waiting()
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
    else
      admit(t, 'tail')
      ready = ready + 1
    end
    n = n + 1
    table.insert(out, 0)
  end
end
wake(ready)
return out
