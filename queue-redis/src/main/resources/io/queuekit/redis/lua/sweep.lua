-- ARGV: delivery ids this consumer holds in memory. Every other entry in flight under its id
-- (a claim whose reply was lost) goes back to the head in claim order, counts unchanged.
-- Returns how many went back.
local held = {}
for i = 1, #ARGV do
  held[ARGV[i]] = true
end
local list = {}
for _, x in ipairs(inflight()) do
  local did = string.format('%d', x.did)
  if not held[did] then
    redis.call('HDEL', K_INFLIGHT, did)
    table.insert(list, decode(x.e))
  end
end
local _, added = admitheads(list)
wake(added)
return #list
