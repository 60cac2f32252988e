-- ARGV: 'all' or dead-letter ids.  Returns how many were deleted.
guard(9)
if ARGV[1] == 'all' then
  local n = redis.call('ZCARD', K_DEAD)
  redis.call('DEL', K_DEAD)
  return n
end
local n = 0
for i = 1, #ARGV do
  n = n + redis.call('ZREMRANGEBYSCORE', K_DEAD, ARGV[i], ARGV[i])
end
return n
