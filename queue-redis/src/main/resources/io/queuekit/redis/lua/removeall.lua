-- ARGV: LENGTH.  Returns {removed, room freed}.
guard(1, 2, 5, 7, 17)
local n, npacked = waiting()
-- The packs the ready list's references name go with it (those of claims in flight stay). A
-- reference stands for at least two entries, so with none counted (packed) there is none to look
-- for; else the list is read in chunks.
if npacked > 0 then
  local len = redis.call('LLEN', K_READY)
  for i = 0, len - 1, CHUNK do
    local ids = {}
    for _, e in ipairs(redis.call('LRANGE', K_READY, i, i + CHUNK - 1)) do
      local k, _, id = refof(e)
      if k then
        ids[#ids + 1] = id
      end
    end
    if #ids > 0 then
      redis.call('HDEL', K_PACKS, unpack(ids))
    end
  end
end
redis.call('DEL', K_READY, K_DELAYED, K_UNIQUE, K_FIRSTS, K_FIRSTN)
setpacked(0)
return { n, room(tonumber(ARGV[1])) }
