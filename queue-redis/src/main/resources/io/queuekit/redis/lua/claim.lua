-- ARGV: consumer id, max, now, LENGTH, DEAD_LETTER_LENGTH, CONSUMER_TIMEOUT ms,
-- GLOBAL_MAX_WORKERS (0: off)
-- A claim that takes items marks its consumer busy (T:busy) and sets its heartbeat to
-- CONSUMER_TIMEOUT: an idle consumer's heartbeat is longer (it holds nothing to recover).
-- Returns {-1} when the consumer is no longer registered (reaped: fenced), else
-- {earliest due ms or -1, room freed 0|1, n, wait 0|1, base, n entries (delivery ids base + 1
-- .. base + n, in order: one number instead of one per entry), then
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
if redis.call('HEXISTS', K_CONSUMERS, ARGV[1]) == 0 then
  return { -1 }
end
-- the cap first: a capped claim writes nothing, so it pays only these reads, not the key checks
-- below (with the cap reached, the refused claims of every waiting worker add up)
local global = tonumber(ARGV[7]) or 0
local leases, junk = 0, {}
if global > 0 then
  -- members that are no lease are not counted, and dropped with this claim's writes
  leases, junk = leasecount(global, count('ZCARD', 16))
  if leases >= global then
    return { -1, 0, -1 }
  end
end
guard(1, 2, 4, 5, 6, 7, 9, 10, 11, 13, 14, 15)
-- delivery ids follow the sequence's value now (base + 1 ...), drawn once the batch is chosen
local base = guardseq()
local max, now, length, cap = tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
if #junk > 0 then
  bulk('ZREM', K_LEASES, junk)
end
-- one look at the earliest due time says whether anything is due: with nothing delayed or
-- nothing due yet (the common case) it is also the answer, and promote() is skipped
local due = firstdue()
if due and due <= tonumber(now) then
  promote(now)
  due = firstdue()
end
local out = { due or -1, 0, 0, 0, base }
local made, dropped = {}, {}
-- LRANGE + LTRIM rather than LPOP with a count, which needs Redis 6.2
local popped = redis.call('LRANGE', K_READY, 0, max - 1)
-- What this claim consumes from the head: the entries it hands out (as stored unless merged
-- counts raised them), their first-pushed times (counted per ms), the digests leaving the unique
-- set and the malformed entries among them; used, how many entries from the head. The batch's
-- delivery ids are base + 1 .. base + nt; its entries go in flight as one claim field (claimof).
local claimed, firsts, gone, bad, nt, used
-- The batch is chosen in one pass, reading each entry's header as strings (no table, no number
-- conversion per entry). The entries of one push share their header on a simple queue (no
-- digest): an entry that starts with the header read last has its fields, and skips the pattern
-- match and its four captures (the prefix is compared in place by a plain find: a string.sub would
-- make a new Lua string per entry, which the server allocates and hashes byte by byte). A unique copy brings the larger counts of the copies merged into
-- it while it waited (merged, digest -> counts): the first digest met stops the pass, which wrote
-- nothing, and it runs again once the counts of every digest in reach are read.
local merged
for _ = 1, 2 do
  for j = #out, 6, -1 do
    out[j] = nil
  end
  claimed, firsts, gone, bad, nt, used = {}, {}, {}, {}, 0, 0
  local lasth, lastrc, lastfirst
  local again = false
  for i = 1, #popped do
    local e = popped[i]
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
  for _, e in ipairs(popped) do
    local dg = select(4, header(e))
    if dg and dg ~= '' then
      dgl[#dgl + 1] = dg
    end
  end
  merged = uniques(dgl)
end
if used > 0 then
  redis.call('LTRIM', K_READY, used, -1)
end
local k = nt
if k > 0 then
  redis.call('HINCRBY', K_META, 'seq', k)
  out[3] = k
  if #gone > 0 then
    bulk('HDEL', K_UNIQUE, gone)
  end
  redis.call('HSET', K_INFLIGHT, claimfield(base + 1, k), cmsgpack.pack(claimed))
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
  for ms, c in pairs(firsts) do
    firstsdel(ms, c)
  end
end
for _, e in ipairs(bad) do
  buryraw(e, 'the ready list ' .. K_READY, now, cap, dropped, made)
end
-- ready items this claim did not take (promoted now, left by an earlier step, or held back
-- behind a recovered item) are news for the other waiters: an idle waiter blocks without
-- claiming first, so it needs a token. A claim that consumed fewer than max took the whole list.
if used == max or used < #popped then
  local left = redis.call('LLEN', K_READY)
  if global == 0 then
    wake(left)
  elseif left > 0 and leases < global then
    -- capped: no more tokens than free slots (a waiter woken past them would only find the
    -- cap), and this claimer waits for one too before it claims again, so that it and the
    -- waiters woken do not race for one slot. At the cap now, no token: the lease freed wakes one
    wake(math.min(left, global - leases))
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
if used > 0 then
  out[2] = room(length)
end
return tail(out, made, dropped)
