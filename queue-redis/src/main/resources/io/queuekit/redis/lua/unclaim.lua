-- ARGV: now, DEAD_LETTER_LENGTH, k, the fields of the k claims holding the ids (claimof; each
-- exploded first), then delivery ids in claim order. Back to the head in that order, counts
-- unchanged. Returns 0 stale, 1 done, 2 merged, 3 malformed (dead-lettered) per
-- id, then the tail.
guard(1, 4, 5, 6, 8, 9, 10, 13, 14, 17)
guardseq()
local leased = leasing()
local now, cap = ARGV[1], tonumber(ARGV[2])
local out, made, dropped = {}, {}, {}
local list = {}
local at = {}
local done = {}
local k = tonumber(ARGV[3])
for i = 4, 3 + k do
  explodefield(ARGV[i])
end
local ids = 4 + k
for i = ids, #ARGV do
  local e = redis.call('HGET', K_INFLIGHT, ARGV[i])
  out[i - ids + 1] = 0
  if e then
    redis.call('HDEL', K_INFLIGHT, ARGV[i])
    table.insert(done, ARGV[i])
    local t = decode(e)
    if t then
      table.insert(list, t)
      at[#list] = i - ids + 1
    else
      buryraw(e, 'the in-flight hash ' .. K_INFLIGHT, now, cap, dropped, made)
      out[i - ids + 1] = 3
    end
  end
end
local outcomes, added = admitheads(list)
for j, o in ipairs(outcomes) do
  out[at[j]] = o
end
-- a freed lease is news even when nothing went back (merged, malformed)
wake(math.max(added, leased and unlease(done) or 0))
return tail(out, made, dropped)
