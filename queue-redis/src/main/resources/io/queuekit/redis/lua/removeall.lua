-- ARGV: LENGTH.  Returns {removed, room freed}.
local n = waiting()
redis.call('DEL', K_READY, K_DELAYED, K_ITEMS, K_UNIQUE, K_PUSHED)
return { n, room(tonumber(ARGV[1])) }
