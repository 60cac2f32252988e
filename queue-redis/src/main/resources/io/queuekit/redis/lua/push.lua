-- ARGV: now, LENGTH, mark full (1|0), then per item: digest hex ('' on simple queues),
-- due ms (0: ready now), payload.
-- Admits in order; stops at the first item that finds LENGTH waiting. Returns one code per
-- item looked at: 0 added, 1 duplicate, 2 full (always last). Wakes one waiter per item made
-- ready, plus one when a delayed item became the earliest.
-- Every item admitted here has counts 0 and first-pushed time now, so the writes go in bulk:
-- one RPUSH, one ZADD, one HSET of the unique set and one first-pushed count per batch.
local now, length, mark = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local out = {}
local n = waiting()
local known = {}
if ARGV[4] and ARGV[4] ~= '' then
  -- a unique queue: look every digest up at once (the caller sends distinct digests)
  local dgs = {}
  for i = 4, #ARGV, 3 do
    table.insert(dgs, ARGV[i])
  end
  for i = 1, #dgs, CHUNK do
    local got = redis.call('HMGET', K_UNIQUE, unpack(dgs, i, math.min(i + CHUNK - 1, #dgs)))
    for j = 1, #got do
      if got[j] then
        known[dgs[i + j - 1]] = true
      end
    end
  end
end
local ready, delayed, uniq = {}, {}, {}
local earliest, sooner
for i = 4, #ARGV, 3 do
  local dg, due = ARGV[i], tonumber(ARGV[i + 1])
  if dg ~= '' and known[dg] then
    table.insert(out, 1)
  elseif n >= length then
    if mark == '1' then
      redis.call('HSET', K_META, 'full', '1')
    end
    table.insert(out, 2)
    break
  else
    local e = '0:0:' .. now .. ':' .. dg .. ':' .. ARGV[i + 2]
    if due > 0 then
      table.insert(delayed, due)
      table.insert(delayed, e)
      if earliest == nil then
        -- a delayed item due before every other one is news too: one token, so a waiter
        -- claims, learns the new earliest due time and bounds its blocking wait by it
        local first = redis.call('ZRANGE', K_DELAYED, 0, 0, 'WITHSCORES')
        earliest = first[2] and tonumber(first[2]) or false
      end
      if not earliest or due < earliest then
        earliest = due
        sooner = true
      end
    else
      table.insert(ready, e)
    end
    if dg ~= '' then
      known[dg] = true
      table.insert(uniq, dg)
      table.insert(uniq, '0:0')
    end
    n = n + 1
    table.insert(out, 0)
  end
end
if #ready > 0 then
  bulk('RPUSH', K_READY, ready)
end
if #delayed > 0 then
  -- ids drawn at once, in admission order: the zero-padded id keeps equal due times in order
  local k = #delayed / 2
  local base = redis.call('HINCRBY', K_META, 'seq', k) - k
  for j = 2, #delayed, 2 do
    delayed[j] = string.format('%016d:', base + j / 2) .. delayed[j]
  end
  bulk('ZADD', K_DELAYED, delayed, 2)
end
if #uniq > 0 then
  bulk('HSET', K_UNIQUE, uniq, 2)
end
if #ready + #delayed / 2 > 0 then
  firstsadd(now, #ready + #delayed / 2)
end
wake(#ready + (sooner and 1 or 0))
return out
