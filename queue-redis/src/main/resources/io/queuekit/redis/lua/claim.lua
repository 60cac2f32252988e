-- ARGV: consumer id, max, now, LENGTH, DEAD_LETTER_LENGTH, CONSUMER_TIMEOUT ms,
-- GLOBAL_MAX_WORKERS (0: off)
-- A claim that takes items marks its consumer busy (T:busy) and sets its heartbeat to
-- CONSUMER_TIMEOUT: an idle consumer's heartbeat is longer (it holds nothing to recover).
-- Returns {-1} when the consumer is no longer registered (reaped: fenced), else
-- {earliest due ms or -1, room freed 0|1, n, wait 0|1, base, n entries (delivery ids base + 1
-- .. base + n, in order: one number instead of one per entry) or, for a claim of one pack taken
-- as it is, one array: the pack's reference (refof: the client reads the pack) and the reference
-- then next at the head, if there is one (the client reads that pack ahead of its next claim), then
-- the tail: dead letters made here (malformed entries), dropped pairs}; {-1, 0, -1} when
-- GLOBAL_MAX_WORKERS claims hold leases already (capped: the caller waits for the wake token of a
-- freed lease). "Wait" says the caller's next claim waits for a wake token first: 1, this claim
-- took the cap's last slot (asked at once, the store would refuse it), or left free slots and
-- ready items and woke waiters for them (asked at once, it would race them for the slots); 2, it
-- took the whole ready list (asked at once, the next claim would find nothing), the wait then
-- bounded by the earliest due time.
-- At most one recovered item (recovery count > 0, merged counts included) per claim: alone when
-- it is at the head, else the batch stops before it. Handing out several would let a crash in
-- the window before the extras are given back count a recovery for items no handler ran.
-- Everything up to the choice of the batch only reads (each read checking its key's type); the
-- keys the claim then writes and has not read are guarded before its first write. A promotion of
-- due items writes before the batch is known: then every key a claim may write is guarded first.
if checked(8, 'HEXISTS', ARGV[1]) == 0 then
  return { -1 }
end
-- the cap first: a capped claim writes nothing, so it pays only these reads (with the cap
-- reached, the refused claims of every waiting worker add up)
local global = tonumber(ARGV[7]) or 0
local leases, junk = 0, {}
if global > 0 then
  -- members that are no lease are not counted, and dropped with this claim's writes
  leases, junk = leasecount(global, checked(16, 'ZCARD'))
  if leases >= global then
    return { -1, 0, -1 }
  end
end
-- delivery ids follow the sequence's value now (base + 1 ...), drawn once the batch is chosen
local base = guardseq()
local max, now, length, cap = tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
-- one look at the earliest due time says whether anything is due: with nothing delayed or
-- nothing due yet (the common case) it is also the answer, and promote() is skipped
local due = firstdue()
if due and due <= tonumber(now) then
  guard(1, 4, 6, 7, 9, 10, 13, 14, 15, 17)
  promote(now)
  due = firstdue()
end
local out = { due or -1, 0, 0, 0, base }
local made, dropped = {}, {}
-- What this claim consumes from the head: the entries it hands out (as stored unless merged
-- counts raised them), their first-pushed times (counted per ms), the digests leaving the unique
-- set and the malformed entries among them; nt, how many it hands out; trim, how many elements
-- of the list it consumed; back, the rest of a pack it consumed in part (back to the head, one
-- entry each); spent, the ids of the packs it consumed (deleted with it); unpacked, the entries
-- their references stood for beyond one each; left, whether ready items stay beyond what it
-- consumed. The batch's delivery ids are
-- base + 1 .. base + nt.
local claimed, firsts, gone, bad, nt = {}, {}, {}, {}, 0
local trim, back, spent, unpacked, left = 0, {}, {}, 0, false
-- its in-flight field (claimfield) and what the field holds
local field, value
-- Whether references may wait (meta's packed count says so, or is no number): only then is the
-- head looked at alone first, so a claim of single entries pays nothing for packs.
local npacked = packedfield()
local mayref = npacked ~= 0
local head = mayref and checked(1, 'LINDEX', 0)
local k1, first1
if head then
  k1, first1 = refof(head)
end
local llen = k1 and k1 < max and checked(1, 'LLEN')
if k1 and (k1 == max or llen == 1) then
  -- A pack at the head that is the whole batch (exactly max entries, or all that is ready) is
  -- taken as it is: the field holds its reference, its entries stay where they are (never Lua
  -- strings here), and the client reads the pack. A pack holds a push's entries: counts 0, one
  -- first-pushed time, no digest (pushed.lua makes it). A claim takes as many entries as it may,
  -- so any other pack is read into the claim's field with what goes with it.
  nt, trim, unpacked = k1, 1, k1 - 1
  firsts[first1] = k1
  field, value = string.format('r%d:%d', base + 1, k1), head
  -- with the reference now next at the head, when there is one: the client reads that pack with
  -- its next claim, which then waits for one reply, not for the claim's and then the pack's. Only
  -- while packed says another reference waits: the element read becomes a Lua string, hashed
  -- byte by byte, and a plain entry there may be large.
  local nxt = k1 == max and npacked - (k1 - 1) > 0 and redis.call('LINDEX', K_READY, 1)
  out[6] = nxt and refof(nxt) and { head, nxt } or { head }
  -- as a claim of max single entries: more may be ready (it does not look)
  left = k1 == max
else
  -- LRANGE + LTRIM rather than LPOP with a count, which needs Redis 6.2
  local popped = checked(1, 'LRANGE', 0, max - 1)
  -- The head as entries, a reference read as its pack's entries (until max are in hand; a pack's
  -- entries beyond them are the rest given back if the claim consumes the pack): seq, and el,
  -- the element of popped each came from (nil: each entry its own element, as when no
  -- reference may wait: most claims pay no pass over the head for it). A reference whose pack
  -- is missing or malformed is one malformed entry: its pack's bytes, or the reference itself.
  local seq, el, read = popped, nil, #popped
  -- the references read, by element: their pack's id and k
  local refs = {}
  if mayref then
    seq, el, read = {}, {}, 0
  end
  for i = 1, el and #popped or 0 do
    if #seq >= max then
      break
    end
    read = i
    local e = popped[i]
    local k, _, id = refof(e)
    if k then
      local list, body = packof(id, k)
      refs[i] = { id = id, k = k }
      if list then
        for _, x in ipairs(list) do
          seq[#seq + 1] = x
          el[#seq] = i
        end
      else
        seq[#seq + 1] = body or e
        el[#seq] = i
      end
    else
      seq[#seq + 1] = e
      el[#seq] = i
    end
  end
  -- The batch is chosen in one pass, reading each entry's header as strings (no table, no
  -- number conversion per entry). The entries of one push share their header on a simple queue
  -- (no digest): an entry that starts with the header read last has its fields, and skips the
  -- pattern match and its four captures (the prefix is compared in place by a plain find: a
  -- string.sub would make a new Lua string per entry, which the server allocates and hashes byte
  -- by byte). A unique copy brings the larger counts of the copies merged into it while it
  -- waited (merged, digest -> counts): the first digest met stops the pass, which wrote nothing,
  -- and it runs again once the counts of every digest in reach are read.
  local merged, used
  for _ = 1, 2 do
    for j = #out, 6, -1 do
      out[j] = nil
    end
    claimed, firsts, gone, bad, nt, used = {}, {}, {}, {}, 0, 0
    local lasth, lastrc, lastfirst
    local again = false
    for i = 1, math.min(#seq, max) do
      local e = seq[i]
      local rc, first, dg
      if lasth and string.find(e, lasth, 1, true) == 1 then
        rc, first, dg = lastrc, lastfirst, ''
      else
        local dc, pos
        dc, rc, first, dg, pos = header(e)
        if rc and dg == '' then
          lasth, lastrc, lastfirst = string.sub(e, 1, pos - 1), rc, first
        end
      end
      if rc and dg ~= '' and not merged then
        again = true
        break
      end
      if not rc then
        bad[#bad + 1] = e
        used = i
      else
        -- a recovered item (recovery count > 0); the header's digits have no sign or point
        local recovered = rc ~= '0'
        local u = dg ~= '' and merged[dg]
        if u then
          local t = decode(e)
          local udc, urc = counts(u)
          if udc > t.dc or urc > t.rc then
            t.dc, t.rc = math.max(t.dc, udc), math.max(t.rc, urc)
            e = encode(t)
          end
          recovered = t.rc > 0
        end
        if recovered and nt > 0 then
          break
        end
        nt = nt + 1
        claimed[nt] = e
        out[nt + 5] = e
        firsts[first] = (firsts[first] or 0) + 1
        if dg ~= '' then
          -- leaving waiting, a unique copy leaves the unique set
          gone[#gone + 1] = dg
        end
        used = i
        if recovered then
          break
        end
      end
    end
    if not again then
      break
    end
    local dgl = {}
    for _, e in ipairs(seq) do
      local dg = select(4, header(e))
      if dg and dg ~= '' then
        dgl[#dgl + 1] = dg
      end
    end
    merged = uniques(dgl)
  end
  -- the elements consumed: all up to the last entry's; a pack consumed in part gives the rest of
  -- its entries back to the head, one each
  if used > 0 and not el then
    trim = used
  elseif used > 0 then
    trim = el[used]
    for j = used + 1, #seq do
      if el[j] ~= trim then
        break
      end
      back[#back + 1] = seq[j]
    end
    for i = 1, trim do
      if refs[i] then
        spent[#spent + 1] = refs[i].id
        unpacked = unpacked + refs[i].k - 1
      end
    end
  end
  -- a claim that took max, or left entries it read or elements it did not read, leaves items
  -- ready; one that took fewer than max of everything it read took the whole list
  left = used == max or used < #seq or read < #popped
  if nt > 0 then
    field, value = claimfield(base + 1, nt), cmsgpack.pack(claimed)
  end
end
-- The keys this claim writes and has not read, checked before its first write (the ready list,
-- meta, the unique set and the packs it read are proved). The heartbeat is SET, whatever it held.
local plan
if nt > 0 then
  guard(10, 15)
  plan = firstsplan(firsts)
end
if #bad > 0 then
  guard(9)
end
if #spent > 0 then
  guard(17)
end
-- the wake list and registry (read now: the writes below do not touch them), and whether a
-- producer waits for room, read now too: the room list is checked only then
local free = left and wakeroom()
local full = trim > 0 and marked()
if full then
  guard(7)
end
if #junk > 0 then
  bulk('ZREM', K_LEASES, junk)
end
-- rest: the list's length after the trim, when read (then the ready count needs no more reads)
local rest
if trim > 0 then
  redis.call('LTRIM', K_READY, trim, -1)
  if #back > 0 then
    local rev = {}
    for j = #back, 1, -1 do
      rev[#rev + 1] = back[j]
    end
    bulk('LPUSH', K_READY, rev)
  end
  if #spent > 0 then
    bulk('HDEL', K_PACKS, spent)
  end
  -- the references it took no longer count; a list it emptied has none left (another
  -- program's writes aside)
  if unpacked > 0 then
    rest = redis.call('LLEN', K_READY)
    setpacked(rest > 0 and npacked - unpacked or 0)
  end
end
local k = nt
if k > 0 then
  redis.call('HINCRBY', K_META, 'seq', k)
  out[3] = k
  if #gone > 0 then
    bulk('HDEL', K_UNIQUE, gone)
  end
  redis.call('HSET', K_INFLIGHT, field, value)
  if global > 0 then
    -- one lease per claim, counting its items down as they are settled (unlease)
    redis.call('ZADD', K_LEASES, base + k, string.format('%d:%d:', base + 1, k) .. ARGV[1])
    leases = leases + 1
    if leases >= global then
      out[4] = 1
    end
  end
  redis.call('SADD', K_BUSY, ARGV[1])
  redis.call('SET', K_HEARTBEAT, ARGV[6], 'PX', ARGV[6])
  firstsapply(plan)
end
for _, e in ipairs(bad) do
  buryraw(e, 'the ready list ' .. K_READY, now, cap, dropped, made)
end
-- ready items this claim did not take (promoted now, left by an earlier step, or held back
-- behind a recovered item) are news for the other waiters: an idle waiter blocks without
-- claiming first, so it needs a token. A claim that consumed fewer than max took the whole list.
if left then
  local ready = rest and (rest > 0 and rest + math.max(0, npacked - unpacked) or 0)
    or readycount()
  if global == 0 then
    wake(ready, free)
  elseif ready > 0 and leases < global then
    -- capped: no more tokens than free slots (a waiter woken past them would only find the
    -- cap), and this claimer waits for one too before it claims again, so that it and the
    -- waiters woken do not race for one slot. At the cap now, no token: the lease freed wakes one
    wake(math.min(ready, global - leases), free)
    out[4] = 1
  end
elseif nt > 0 then
  -- took the whole list: asked at once, the next claim would find it empty. Every push since
  -- leaves a token (or finds one pending), so the caller waits for one first (2: bounded by the
  -- earliest due time), one claim script fewer per trickling item
  out[4] = 2
end
-- only a claim that took items lowers waiting, so only it can make room (every other step that
-- lowers waiting looks too: a producer that marked the queue full is never left waiting)
if trim > 0 then
  out[2] = room(length, full)
end
return tail(out, made, dropped)
