-- ARGV: now, LENGTH, mark full (1|0), due ms (0: ready now; one for the whole call), unique
-- (1|0), GLOBAL_MAX_WORKERS (0: off), then per item its digest hex and its entry on a unique
-- queue, its entry alone on others (entries built by the client: "0:0:" now ":" digest ":"
-- payload). Admits in order; stops at the first item that finds LENGTH waiting. Returns one code
-- per item looked at: 0 added, 1 duplicate, 2 full (always last). Wakes one waiter per item made
-- ready, plus one when a delayed item became the earliest; none while the cap's slots are all
-- held (capped()): the settle that frees one wakes a waiter.
-- Every item admitted here has counts 0 and first-pushed time now, so the writes go in bulk:
-- one RPUSH, one ZADD, one HSET of the unique set and one first-pushed count per batch. On a
-- simple queue the entries go from ARGV to RPUSH as they are: an entry made into a Lua value is
-- interned (hashed, compared with similar ones) and collected later, which cost the server more
-- than the list write itself.
-- Everything that decides what it writes is read first (each read checks its key's type: the
-- waiting count reads the ready list, meta and the delayed set; a unique push the unique set;
-- the wake check the registry and the wake list), then the first-pushed counts are guarded.
local now, length, mark, due = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local unique = ARGV[5] == '1'
local hold = capped(tonumber(ARGV[6]))
local first = 7
local out = {}
local n = waiting()
-- the entries admitted, as ARGV indexes: a run from..to on a simple queue (every item is new),
-- a list on a unique queue (duplicates are skipped)
local admitted, na = {}, 0
local full = false
if unique then
  -- look every digest up at once (the caller sends distinct digests)
  local dgs = {}
  for i = first, #ARGV, 2 do
    dgs[#dgs + 1] = ARGV[i]
  end
  local known = uniques(dgs)
  for i = first, #ARGV, 2 do
    if known[ARGV[i]] then
      out[#out + 1] = 1
    elseif n >= length then
      full = true
      break
    else
      na = na + 1
      admitted[na] = i + 1
      n = n + 1
      out[#out + 1] = 0
    end
  end
else
  local count = #ARGV - first + 1
  na, out = fitting(count, length - n)
  full = na < count
end
if full then
  out[#out + 1] = 2
end
local sooner = false
if na > 0 and due > 0 then
  -- delayed items draw ids: check the sequence before this script's first write
  guardseq()
  -- a delayed item due before every other one is news too: one token, so a waiter claims,
  -- learns the new earliest due time and bounds its blocking wait by it
  local earliest = firstdue()
  sooner = not earliest or due < earliest
end
local tokens = (due == 0 and na or 0) + (sooner and 1 or 0)
local free = tokens > 0 and not hold and wakeroom()
if na > 0 then
  guard(13, 14)
end
if full and mark == '1' then
  guard(5)
  redis.call('HSET', K_META, 'full', '1')
end
if na > 0 then
  if due == 0 and not unique then
    for i = first, first + na - 1, CHUNK do
      redis.call('RPUSH', K_READY, unpack(ARGV, i, math.min(i + CHUNK - 1, first + na - 1)))
    end
  elseif due == 0 then
    local ready = {}
    for j = 1, na do
      ready[j] = ARGV[admitted[j]]
    end
    bulk('RPUSH', K_READY, ready)
  else
    -- ids drawn at once, in admission order: the zero-padded id keeps equal due times in order
    local base = redis.call('HINCRBY', K_META, 'seq', na) - na
    local delayed = {}
    for j = 1, na do
      local e = unique and ARGV[admitted[j]] or ARGV[first + j - 1]
      delayed[2 * j - 1] = due
      delayed[2 * j] = string.format('%016d:', base + j) .. e
    end
    bulk('ZADD', K_DELAYED, delayed, 2)
  end
  if unique then
    local uniq = {}
    for j = 1, na do
      uniq[2 * j - 1] = ARGV[admitted[j] - 1]
      uniq[2 * j] = '0:0'
    end
    bulk('HSET', K_UNIQUE, uniq, 2)
  end
  firstsadd(now, na)
end
if free then
  wake(tokens, free)
end
return out
