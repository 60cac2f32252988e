-- ARGV: layout version, flavour ('simple' | 'unique')
-- Returns {0} ok, {1, key index, actual type}, {2, stored version}, {3, stored flavour}.
local expected = { 'list', 'zset', 'hash', 'hash', 'hash', 'list', 'list', 'hash', 'zset' }
expected[12] = 'zset'
for _, i in ipairs({ 1, 2, 3, 4, 5, 6, 7, 8, 9, 12 }) do
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
if not v then
  redis.call('HSET', K_META, 'version', ARGV[1])
end
if not f then
  redis.call('HSET', K_META, 'flavour', ARGV[2])
end
return { 0 }
