-- ARGV: consumer id, max, now, LENGTH
-- Returns {-1} when the consumer is no longer registered (reaped: fenced), else
-- {earliest due ms or -1, room freed 0|1, delivery id, entry, delivery id, entry, ...}.
if redis.call('HEXISTS', K_CONSUMERS, ARGV[1]) == 0 then
  return { -1 }
end
local max, now, length = tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
promote(now)
local out = { -1, 0 }
local popped = redis.call('LPOP', K_READY, max)
if popped then
  -- one id draw per claim: the batch's delivery ids are the last #popped values of the sequence
  local base = redis.call('HINCRBY', K_META, 'seq', #popped) - #popped
  local heads, dgs = {}, {}
  for i, e in ipairs(popped) do
    local dc, rc, first, dg = string.match(e, '^(%d+):(%d+):(%d+):(%x*):')
    heads[i] = { dc = dc, rc = rc, first = first, dg = dg }
    if dg ~= '' then
      table.insert(dgs, dg)
    end
  end
  -- leaving waiting, a unique copy leaves the unique set, bringing the larger counts of the
  -- copies merged into it while it waited
  local merged = {}
  if #dgs > 0 then
    for i = 1, #dgs, CHUNK do
      local got = redis.call('HMGET', K_UNIQUE, unpack(dgs, i, math.min(i + CHUNK - 1, #dgs)))
      for j = 1, #got do
        if got[j] then
          merged[dgs[i + j - 1]] = got[j]
        end
      end
    end
    bulk('HDEL', K_UNIQUE, dgs)
  end
  local fields = {}
  local firsts = {}
  for i, e in ipairs(popped) do
    local h = heads[i]
    local u = h.dg ~= '' and merged[h.dg]
    if u then
      local udc, urc = counts(u)
      local dc, rc = tonumber(h.dc), tonumber(h.rc)
      if udc > dc or urc > rc then
        local t = decode(e)
        t.dc, t.rc = math.max(dc, udc), math.max(rc, urc)
        e = encode(t)
      end
    end
    firsts[h.first] = (firsts[h.first] or 0) + 1
    local did = base + i
    table.insert(fields, string.format('%d', did))
    table.insert(fields, e)
    table.insert(out, did)
    table.insert(out, e)
  end
  bulk('HSET', K_INFLIGHT, fields, 2)
  for ms, k in pairs(firsts) do
    firstsdel(ms, k)
  end
end
-- ready items this claim did not take (promoted now or left by an earlier step) are news for
-- the other waiters: an idle waiter blocks without claiming first, so it needs a token
local left = redis.call('LLEN', K_READY)
if left > 0 then
  wake(left)
end
local first = redis.call('ZRANGE', K_DELAYED, 0, 0, 'WITHSCORES')
if first[2] then
  out[1] = tonumber(first[2])
end
out[2] = room(length)
return out
