-- ARGV: delivery ids in claim order. Back to the head in that order, counts unchanged.
-- Returns 0 stale, 1 done, 2 merged per id.
local out = {}
local list = {}
local at = {}
for i = 1, #ARGV do
  local e = redis.call('HGET', K_INFLIGHT, ARGV[i])
  out[i] = 0
  if e then
    redis.call('HDEL', K_INFLIGHT, ARGV[i])
    table.insert(list, decode(e))
    at[#list] = i
  end
end
local outcomes, added = admitheads(list)
for j, o in ipairs(outcomes) do
  out[at[j]] = o
end
wake(added)
return out
