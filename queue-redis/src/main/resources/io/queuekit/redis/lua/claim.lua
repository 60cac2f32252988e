-- ARGV: consumer id, max, now, LENGTH
-- Returns {-1} when the consumer is no longer registered (reaped: fenced), else
-- {earliest due ms or -1, room freed 0|1, delivery id, entry, delivery id, entry, ...}.
if redis.call('HEXISTS', K_CONSUMERS, ARGV[1]) == 0 then
  return { -1 }
end
local max, now, length = tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
promote(now)
local out = { -1, 0 }
local claimed = 0
while claimed < max do
  local id = redis.call('LPOP', K_READY)
  if not id then
    break
  end
  local e = redis.call('HGET', K_ITEMS, id)
  redis.call('HDEL', K_ITEMS, id)
  redis.call('ZREM', K_PUSHED, id)
  local t = decode(e)
  if t.dg ~= '' then
    redis.call('HDEL', K_UNIQUE, t.dg)
  end
  local did = nextid()
  redis.call('HSET', K_INFLIGHT, string.format('%d', did), e)
  table.insert(out, did)
  table.insert(out, e)
  claimed = claimed + 1
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
