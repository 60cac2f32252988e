-- ARGV: 'all' or dead-letter ids.  To the tail with counts reset.  Returns how many moved. A
-- member that is not a dead letter (another program's bytes) stays where it is.
guard(1, 4, 5, 6, 8, 9, 13, 14)
local members = {}
if ARGV[1] == 'all' then
  members = redis.call('ZRANGE', K_DEAD, 0, -1)
else
  for i = 1, #ARGV do
    for _, m in ipairs(redis.call('ZRANGEBYSCORE', K_DEAD, ARGV[i], ARGV[i])) do
      table.insert(members, m)
    end
  end
end
local added, moved = 0, 0
for _, m in ipairs(members) do
  local d = decodedead(m)
  if d then
    if admit({ dc = 0, rc = 0, first = d.first, dg = d.dg, payload = d.payload }, 'tail') then
      added = added + 1
    end
    redis.call('ZREM', K_DEAD, m)
    moved = moved + 1
  end
end
wake(added)
return moved
