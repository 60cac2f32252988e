-- ARGV: LENGTH, then per claim settled here: its field (claimname: "c" or "r", first delivery
-- id, ":", n), then either -1 (the whole claim: its ids first .. first + n - 1, not listed) or how
-- many of its ids follow (m) and those m distinct delivery ids. Returns {room freed, per id (a whole claim's in id order):
-- 1 done | 0 stale}, or {room freed, one code for every id} when all ids have the same one.
-- A whole claim is one HDEL of its field (claimof), and of its pack for a claim of one (the
-- field's small reference read first); when that field is gone (a step before
-- exploded it into single entries, or recovery or a sweep took it back: stale) and for ids
-- listed (a part of a claim, which explodes it first), one HDEL per id, whose answer is the
-- outcome. A whole claim is sent without its ids: ARGV's strings cost the server per item, as
-- Lua strings.
-- With GLOBAL_MAX_WORKERS each id settled counts its lease down.
-- GLOBAL_MAX_WORKERS: one TYPE when no lease exists (the cap off); else the wake tokens pending,
-- read before the first write (a freed lease wakes one waiter: leasewake)
local leased = leasing()
local tokens = leased and checked(6, 'LLEN')
-- the client names each claim's field: a name that is none stops the script before its first
-- write (it could not be settled, nor counted in the reply)
-- packs: a claim of a pack is settled; unread: the first claim settled is a whole claim of
-- entries, whose field is deleted without being read first
local at, packs, unread = 2, false, false
while at <= #ARGV do
  local m = tonumber(ARGV[at + 1])
  local _, _, ref = claimname(ARGV[at])
  if ref == nil or not m then
    error({ err = 'ERR queuekit ack: "' .. string.sub(ARGV[at], 1, 40) .. '" names no claim; '
      .. 'nothing was changed' })
  end
  packs = packs or ref
  if at == 2 then
    unread = m < 0 and not ref
  end
  at = at + 2 + math.max(m, 0)
end
-- The keys it writes, checked before its first write: the in-flight hash, which the first claim
-- settled reads first (a claim of a pack's reference, or a part's field to explode it), except a
-- whole claim of entries, deleted unread; the packs hash when a claim of a pack is settled; and
-- room()'s keys only when a producer waits for room.
if unread then
  guard(10)
end
if packs then
  guard(17)
end
local full = marked()
if full then
  guard(1, 2, 7)
end
-- per claim, how its ids came out: a number (every one of its n ids done) or a list of codes
local groups, ids, done, ndone = {}, 0, {}, 0
local i = 2
while i <= #ARGV do
  local f, m = ARGV[i], tonumber(ARGV[i + 1])
  local first, n, ref = claimname(f)
  local list
  if m < 0 then
    i = i + 2
    local pack = ref and checked(10, 'HGET', f)
    if pack then
      local _, _, id = refof(pack)
      if id then
        redis.call('HDEL', K_PACKS, id)
      end
    end
    if redis.call('HDEL', K_INFLIGHT, f) == 1 then
      groups[#groups + 1] = n
      ndone = ndone + n
      if leased then
        for _, id in ipairs(claimids(first, n)) do
          done[#done + 1] = id
        end
      end
    else
      list = claimids(first, n)
    end
    ids = ids + n
  else
    list = {}
    for j = 1, m do
      list[j] = ARGV[i + 1 + j]
    end
    i = i + 2 + m
    ids = ids + m
    explodefield(f)
  end
  if list then
    local codes = {}
    for j, id in ipairs(list) do
      codes[j] = redis.call('HDEL', K_INFLIGHT, id)
      if codes[j] == 1 then
        ndone = ndone + 1
        done[#done + 1] = id
      end
    end
    groups[#groups + 1] = codes
  end
end
if leased then
  leasewake(unlease(done), tokens)
end
local freed = room(tonumber(ARGV[1]), full)
if ndone == 0 or ndone == ids then
  return { freed, ndone == 0 and 0 or 1 }
end
local out = { freed }
for _, g in ipairs(groups) do
  if type(g) == 'number' then
    for _ = 1, g do
      out[#out + 1] = 1
    end
  else
    for _, c in ipairs(g) do
      out[#out + 1] = c
    end
  end
end
return out
