-- ARGV: consumer id, max, now, LENGTH
-- Returns {-1} when the consumer is no longer registered (reaped: fenced), else
-- {earliest due ms or -1, room freed 0|1, delivery id, entry, delivery id, entry, ...}.
if redis.call('HEXISTS', K_CONSUMERS, ARGV[1]) == 0 then
  return { -1 }
end
local max, now, length = tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
-- one look at the earliest due time says whether anything is due: with nothing delayed or
-- nothing due yet (the common case) it is also the answer, and promote() is skipped
local due = firstdue()
if due and due <= tonumber(now) then
  promote(now)
  due = firstdue()
end
local out = { due or -1, 0 }
-- LRANGE + LTRIM rather than LPOP with a count, which needs Redis 6.2
local popped = redis.call('LRANGE', K_READY, 0, max - 1)
local k = #popped
if k > 0 then
  redis.call('LTRIM', K_READY, k, -1)
  -- one id draw per claim: the batch's delivery ids are the last k values of the sequence
  local base = redis.call('HINCRBY', K_META, 'seq', k) - k
  local firsts, dgs = {}, {}
  local nd = 0
  for i = 1, k do
    local first, dg = string.match(popped[i], '^%d+:%d+:(%d+):(%x*):')
    firsts[first] = (firsts[first] or 0) + 1
    if dg ~= '' then
      nd = nd + 1
      dgs[nd] = dg
    end
  end
  if nd > 0 then
    -- leaving waiting, a unique copy leaves the unique set, bringing the larger counts of the
    -- copies merged into it while it waited
    local merged = {}
    for i = 1, nd, CHUNK do
      local got = redis.call('HMGET', K_UNIQUE, unpack(dgs, i, math.min(i + CHUNK - 1, nd)))
      for j = 1, #got do
        if got[j] then
          merged[dgs[i + j - 1]] = got[j]
        end
      end
    end
    bulk('HDEL', K_UNIQUE, dgs)
    for i = 1, k do
      local t = decode(popped[i])
      local u = t.dg ~= '' and merged[t.dg]
      if u then
        local udc, urc = counts(u)
        if udc > t.dc or urc > t.rc then
          t.dc, t.rc = math.max(t.dc, udc), math.max(t.rc, urc)
          popped[i] = encode(t)
        end
      end
    end
  end
  local fields = {}
  for i = 1, k do
    local did = base + i
    fields[2 * i - 1] = string.format('%d', did)
    fields[2 * i] = popped[i]
    out[2 * i + 1] = did
    out[2 * i + 2] = popped[i]
  end
  bulk('HSET', K_INFLIGHT, fields, 2)
  for ms, c in pairs(firsts) do
    firstsdel(ms, c)
  end
end
-- ready items this claim did not take (promoted now or left by an earlier step) are news for
-- the other waiters: an idle waiter blocks without claiming first, so it needs a token. A claim
-- that took fewer than max took the whole list: nothing is left, no need to count.
if k == max then
  local left = redis.call('LLEN', K_READY)
  if left > 0 then
    wake(left)
  end
end
-- only a claim that took items lowers waiting, so only it can make room (every other step that
-- lowers waiting looks too: a producer that marked the queue full is never left waiting)
if k > 0 then
  out[2] = room(length)
end
return out
