-- ARGV: layout version, flavour ('simple' | 'unique')
-- Returns {0, items migrated from layout 1 or -1}, {1, key index, actual type},
-- {2, stored version}, {3, stored flavour}.
local expected = { 'list', 'zset', 'hash', 'hash', 'hash', 'list', 'list', 'hash', 'zset' }
expected[12], expected[13], expected[14] = 'zset', 'zset', 'hash'
for _, i in ipairs({ 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14 }) do
  local t = redis.call('TYPE', KEYS[i])['ok']
  if t ~= 'none' and t ~= expected[i] then
    return { 1, i, t }
  end
end
local v = redis.call('HGET', K_META, 'version')
if v and tonumber(v) > tonumber(ARGV[1]) then
  return { 2, v }
end
local f = redis.call('HGET', K_META, 'flavour')
if f and f ~= ARGV[2] then
  return { 3, f }
end
local migrated = -1
if v == '1' then
  -- Layout 1 kept waiting ids in T:ready and T:delayed, the entries in T:items, the first-pushed
  -- times in T:pushed and digest -> waiting id in the unique set. One script, so a crash leaves
  -- layout 1 or layout 2 and a second opener finds version 2. Everything is read before the
  -- keys are rewritten: T:ready and T:delayed keep their names.
  local K_ITEMS, K_PUSHED = KEYS[3], KEYS[12]
  local ready, delayed, uniq, firsts = {}, {}, {}, {}
  local seen, n = {}, 0
  local function take(id)
    local e = redis.call('HGET', K_ITEMS, id)
    if not e or seen[id] then
      return nil
    end
    seen[id] = true
    n = n + 1
    local dc, rc, first, dg = string.match(e, '^(%d+):(%d+):(%d+):(%x*):')
    firsts[first] = (firsts[first] or 0) + 1
    if dg ~= '' then
      table.insert(uniq, dg)
      table.insert(uniq, dc .. ':' .. rc)
    end
    return e
  end
  for _, id in ipairs(redis.call('LRANGE', K_READY, 0, -1)) do
    local e = take(id)
    if e then
      table.insert(ready, e)
    end
  end
  local z = redis.call('ZRANGE', K_DELAYED, 0, -1, 'WITHSCORES')
  for i = 1, #z, 2 do
    local e = take(z[i])
    if e then
      table.insert(delayed, z[i + 1])
      table.insert(delayed, string.format('%016d:', tonumber(z[i])) .. e)
    end
  end
  if redis.call('HLEN', K_ITEMS) > n then
    -- an entry no list names (layout 1 never leaves one): kept, at the tail, in id order
    local flat = redis.call('HGETALL', K_ITEMS)
    local rest = {}
    for i = 1, #flat, 2 do
      if not seen[flat[i]] then
        table.insert(rest, flat[i])
      end
    end
    table.sort(rest, function(a, b) return tonumber(a) < tonumber(b) end)
    for _, id in ipairs(rest) do
      table.insert(ready, take(id))
    end
  end
  redis.call('DEL', K_READY, K_DELAYED, K_UNIQUE, K_ITEMS, K_PUSHED, K_FIRSTS, K_FIRSTN)
  if #ready > 0 then
    bulk('RPUSH', K_READY, ready)
  end
  if #delayed > 0 then
    bulk('ZADD', K_DELAYED, delayed, 2)
  end
  if #uniq > 0 then
    bulk('HSET', K_UNIQUE, uniq, 2)
  end
  for ms, k in pairs(firsts) do
    firstsadd(ms, k)
  end
  redis.call('HSET', K_META, 'version', ARGV[1])
  migrated = n
end
if not v then
  redis.call('HSET', K_META, 'version', ARGV[1])
end
if not f then
  redis.call('HSET', K_META, 'flavour', ARGV[2])
end
return { 0, migrated }
