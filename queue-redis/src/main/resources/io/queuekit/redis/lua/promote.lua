-- ARGV: now.  The promoter: moves due delayed items to the tail and wakes one waiter per item.
-- Returns {promoted, earliest remaining due ms or -1}.
local n = promote(ARGV[1])
wake(n)
local first = redis.call('ZRANGE', K_DELAYED, 0, 0, 'WITHSCORES')
if first[2] then
  return { n, tonumber(first[2]) }
end
return { n, -1 }
