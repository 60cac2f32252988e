-- ARGV: now, LENGTH, mark full (1|0), then per item: digest hex ('' on simple queues),
-- due ms (0: ready now), entry (built by the client: "0:0:" now ":" digest ":" payload).
-- Admits in order; stops at the first item that finds LENGTH waiting. Returns one code per
-- item looked at: 0 added, 1 duplicate, 2 full (always last). Wakes one waiter per item made
-- ready, plus one when a delayed item became the earliest.
-- Every item admitted here has counts 0 and first-pushed time now, so the writes go in bulk:
-- one RPUSH, one ZADD, one HSET of the unique set and one first-pushed count per batch.
guard(1, 2, 4, 5, 6, 8, 13, 14)
local now, length, mark = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local out = {}
local n = waiting()
local known = {}
local unique = ARGV[4] and ARGV[4] ~= ''
if unique then
  -- look every digest up at once (the caller sends distinct digests)
  local dgs = {}
  for i = 4, #ARGV, 3 do
    dgs[#dgs + 1] = ARGV[i]
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
local nr, nd, nu = 0, 0, 0
local earliest, sooner
for i = 4, #ARGV, 3 do
  local dg, due = ARGV[i], tonumber(ARGV[i + 1])
  if unique and known[dg] then
    out[#out + 1] = 1
  elseif n >= length then
    if mark == '1' then
      redis.call('HSET', K_META, 'full', '1')
    end
    out[#out + 1] = 2
    break
  else
    if due > 0 then
      if nd == 0 then
        -- delayed items draw ids after the ready items' RPUSH: check the sequence now, before
        -- this script's first write (a full queue's mark comes after every admitted item)
        guardseq()
      end
      delayed[nd + 1] = due
      delayed[nd + 2] = ARGV[i + 2]
      nd = nd + 2
      if earliest == nil then
        -- a delayed item due before every other one is news too: one token, so a waiter
        -- claims, learns the new earliest due time and bounds its blocking wait by it
        earliest = firstdue() or false
      end
      if not earliest or due < earliest then
        earliest = due
        sooner = true
      end
    else
      nr = nr + 1
      ready[nr] = ARGV[i + 2]
    end
    if unique then
      known[dg] = true
      uniq[nu + 1] = dg
      uniq[nu + 2] = '0:0'
      nu = nu + 2
    end
    n = n + 1
    out[#out + 1] = 0
  end
end
if nr > 0 then
  bulk('RPUSH', K_READY, ready)
end
if nd > 0 then
  -- ids drawn at once, in admission order: the zero-padded id keeps equal due times in order
  local k = nd / 2
  local base = redis.call('HINCRBY', K_META, 'seq', k) - k
  for j = 2, nd, 2 do
    delayed[j] = string.format('%016d:', base + j / 2) .. delayed[j]
  end
  bulk('ZADD', K_DELAYED, delayed, 2)
end
if nu > 0 then
  bulk('HSET', K_UNIQUE, uniq, 2)
end
if nr + nd / 2 > 0 then
  firstsadd(now, nr + nd / 2)
end
wake(nr + (sooner and 1 or 0))
return out
