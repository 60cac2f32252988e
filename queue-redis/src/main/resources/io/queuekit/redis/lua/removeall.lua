-- ARGV: LENGTH.  Returns {removed, room freed}.
guard(1, 2, 5, 7)
local n = waiting()
redis.call('DEL', K_READY, K_DELAYED, K_UNIQUE, K_FIRSTS, K_FIRSTN)
return { n, room(tonumber(ARGV[1])) }
