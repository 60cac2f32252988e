-- ARGV: now, DEAD_LETTER_LENGTH, then the delivery ids this consumer holds in memory. Every
-- other entry in flight under its id (a claim whose reply was lost) goes back to the head in
-- claim order, counts unchanged; a malformed one is dead-lettered. Returns {how many went back,
-- then the tail}. A claim's field (claimof) held whole stays as it is (the beat sweeps while
-- anything is held: its ack is still one HDEL); one held in part is exploded; one not held at all
-- goes back whole.
guard(1, 4, 5, 6, 8, 9, 10, 13, 14, 17)
guardseq()
local leased = leasing()
local now, cap = ARGV[1], tonumber(ARGV[2])
local held = {}
for i = 3, #ARGV do
  held[ARGV[i]] = true
end
local list, made, dropped = {}, {}, {}
local done = {}
-- the entries in flight that no delivery holds, in claim order
local orphans = {}
local flat = redis.call('HGETALL', K_INFLIGHT)
for i = 1, #flat, 2 do
  local f, v = flat[i], flat[i + 1]
  local first, claimed, pack = claimof(f, v)
  if first then
    local ids, nheld = claimids(first, #claimed), 0
    for j = 1, #ids do
      nheld = nheld + (held[ids[j]] and 1 or 0)
    end
    if nheld < #claimed then
      if nheld == 0 then
        redis.call('HDEL', K_INFLIGHT, f)
        if pack then
          redis.call('HDEL', K_PACKS, pack)
        end
      else
        explode(f, v)
      end
      for j, e in ipairs(claimed) do
        if not held[ids[j]] then
          if nheld > 0 then
            redis.call('HDEL', K_INFLIGHT, ids[j])
          end
          table.insert(orphans, { did = first + j - 1, f = ids[j], e = e })
        end
      end
    end
  elseif not held[f] then
    redis.call('HDEL', K_INFLIGHT, f)
    local raw, pack = rawof(f, v)
    if pack then
      redis.call('HDEL', K_PACKS, pack)
    end
    table.insert(orphans, { did = tonumber(f) or -1, f = f, e = raw })
  end
end
table.sort(orphans, function(a, b) return a.did < b.did end)
for _, x in ipairs(orphans) do
  table.insert(done, x.f)
  local t = decode(x.e)
  if t then
    table.insert(list, t)
  else
    buryraw(x.e, 'the in-flight hash ' .. K_INFLIGHT, now, cap, dropped, made)
  end
end
local _, added = admitheads(list)
wake(math.max(added, leased and unlease(done) or 0))
return tail({ #list }, made, dropped)
