-- ARGV: delivery ids this consumer holds in memory. Every other entry in flight under its id
-- (a claim whose reply was lost) goes back to the head in claim order, counts unchanged.
-- Returns how many went back.
local held = {}
for i = 1, #ARGV do
  held[ARGV[i]] = true
end
local orphans = {}
for _, x in ipairs(inflight()) do
  if not held[string.format('%d', x.did)] then
    table.insert(orphans, x)
  end
end
local added = 0
for i = #orphans, 1, -1 do
  redis.call('HDEL', K_INFLIGHT, string.format('%d', orphans[i].did))
  if admit(decode(orphans[i].e), 'head') then
    added = added + 1
  end
end
wake(added)
return #orphans
