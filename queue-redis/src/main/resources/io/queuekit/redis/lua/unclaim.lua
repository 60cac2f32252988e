-- ARGV: delivery ids in claim order. Back to the head in that order, counts unchanged.
-- Returns 0 stale, 1 done, 2 merged per id.
local out = {}
local entries = {}
for i = 1, #ARGV do
  local e = redis.call('HGET', K_INFLIGHT, ARGV[i])
  entries[i] = e or false
  if e then
    redis.call('HDEL', K_INFLIGHT, ARGV[i])
  end
  out[i] = 0
end
local added = 0
for i = #ARGV, 1, -1 do
  if entries[i] then
    if admit(decode(entries[i]), 'head') then
      out[i] = 1
      added = added + 1
    else
      out[i] = 2
    end
  end
end
wake(added)
return out
