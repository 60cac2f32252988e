-- KEYS: the standard keys, then the migration's own: 18 T:ready:migrating (list), 19
-- T:delayed:migrating (zset), 20 the unique set's name + ":migrating" (hash).
-- ARGV: layout version, flavour ('simple' | 'unique' | '' for the stored one), migration step
-- size (items), '1' to open only an existing queue (else '0': create it when absent).
-- Returns {0, items this call migrated from layout 1 (-1: none to migrate), more steps 0|1,
-- flavour}, {1, key index, actual type}, {2, stored version}, {3, stored flavour}, {4, a stored
-- version that is not a number}, {5} no queue (existing only), {6} no flavour recorded (existing
-- only). Nothing is written before these checks.
-- Every key against its type in TYPES (the prelude's), but a consumer's own (10, 11: no
-- consumer opens).
for i = 1, #TYPES do
  if i ~= 10 and i ~= 11 then
    local t = redis.call('TYPE', KEYS[i])['ok']
    if t ~= 'none' and t ~= TYPES[i] then
      return { 1, i, t }
    end
  end
end
local v = redis.call('HGET', K_META, 'version')
local f = redis.call('HGET', K_META, 'flavour')
if ARGV[4] == '1' then
  -- a tool looking at a queue must not create it, nor record a flavour it guessed
  if not v then
    return { 5 }
  end
  if not f then
    return { 6 }
  end
end
local flavour = ARGV[2] ~= '' and ARGV[2] or f
if v and not string.match(v, '^%d+$') then
  return { 4, v }
end
if v and tonumber(v) > tonumber(ARGV[1]) then
  return { 2, v }
end
if f and f ~= flavour then
  return { 3, f }
end
if not f then
  redis.call('HSET', K_META, 'flavour', flavour)
end
if not v then
  redis.call('HSET', K_META, 'version', ARGV[1])
  return { 0, -1, 0, flavour }
end
-- Layout 2 -> 3 changes no key: layout 3 writes a claim's entries as one in-flight field and
-- reads layout 2's single entries as they are. The version is raised so that a layout-2 process
-- refuses to open the queue (it would take a claim's field for a malformed entry), also when a
-- layout-2 process left a layout-1 migration half done (this open finishes it). Layout 3 -> 4
-- changes no key either: it adds packs (T:packs) and their references in the ready list, which a
-- layout-3 process would take for malformed entries, so it too refuses a queue at version 4. A
-- tool opening an existing queue only reads.
if v ~= '1' and tonumber(v) < tonumber(ARGV[1]) and ARGV[4] ~= '1' then
  redis.call('HSET', K_META, 'version', ARGV[1])
end
if v ~= '1' and redis.call('HEXISTS', K_META, 'migrating') == 0 then
  return { 0, -1, 0, flavour }
end

-- Layout 1 -> 2, in steps of at most ARGV[3] items, each step one script. Layout 1 kept waiting
-- ids in T:ready and T:delayed, the entries in T:items, first-pushed times in T:pushed and
-- digest -> waiting id in the unique set. A step moves items from the head of layout 1's ready
-- list, then from the start of its delayed set, into the :migrating keys (entries, with the
-- unique set's counts and the first-pushed counts), deleting what it moved from layout 1; the
-- last step renames the :migrating keys over layout 1's. So between steps every item is in
-- exactly one place, a step lost with its process is never half done, the next opener (or a
-- second one now) carries on, and meta says version 2 with migrating=1 from the first step, so
-- a layout-1 process refuses to open the queue meanwhile.
if v == '1' then
  redis.call('HSET', K_META, 'version', ARGV[1], 'migrating', '1')
end
local K_ITEMS, K_PUSHED = KEYS[3], KEYS[12]
local K_READY2, K_DELAYED2, K_UNIQUE2 = KEYS[18], KEYS[19], KEYS[20]
local budget = tonumber(ARGV[3])
local moved = 0
local function take(id)
  local e = redis.call('HGET', K_ITEMS, id)
  if not e then
    -- an id without an entry holds nothing to keep
    return nil
  end
  redis.call('HDEL', K_ITEMS, id)
  local dc, rc, first, dg = string.match(e, '^(%d+):(%d+):(%d+):(%x*):')
  -- a malformed entry moves as it is: the claim that meets it dead-letters its raw bytes
  if first then
    firstsadd(first, 1)
    if dg ~= '' then
      redis.call('HSET', K_UNIQUE2, dg, dc .. ':' .. rc)
    end
  end
  moved = moved + 1
  return e
end
local ids = redis.call('LRANGE', K_READY, 0, budget - 1)
if #ids > 0 then
  redis.call('LTRIM', K_READY, #ids, -1)
  local out = {}
  for _, id in ipairs(ids) do
    local e = take(id)
    if e then
      out[#out + 1] = e
    end
  end
  if #out > 0 then
    bulk('RPUSH', K_READY2, out)
  end
  budget = budget - #ids
end
if budget > 0 then
  local z = redis.call('ZRANGE', K_DELAYED, 0, budget - 1, 'WITHSCORES')
  if #z > 0 then
    local members, add = {}, {}
    for i = 1, #z, 2 do
      members[#members + 1] = z[i]
      local e = take(z[i])
      if e then
        add[#add + 1] = z[i + 1]
        -- a member that is no id (another program's) still keeps its entry, ordered first
        add[#add + 1] = string.format('%016d:', tonumber(z[i]) or 0) .. e
      end
    end
    bulk('ZREM', K_DELAYED, members)
    if #add > 0 then
      bulk('ZADD', K_DELAYED2, add, 2)
    end
    budget = budget - #members
  end
end
if budget <= 0 or redis.call('LLEN', K_READY) + redis.call('ZCARD', K_DELAYED) > 0 then
  return { 0, moved, 1, flavour }
end
-- the last step. An entry no list names (layout 1 never leaves one) is kept, at the tail, in
-- id order
local flat = redis.call('HGETALL', K_ITEMS)
local rest = {}
for i = 1, #flat, 2 do
  rest[#rest + 1] = flat[i]
end
-- ids in number order; a field that is no number (another program's) sorts first, by its bytes
table.sort(rest, function(a, b)
  local x, y = tonumber(a) or -1, tonumber(b) or -1
  if x ~= y then
    return x < y
  end
  return a < b
end)
local tail = {}
for _, id in ipairs(rest) do
  tail[#tail + 1] = take(id)
end
if #tail > 0 then
  bulk('RPUSH', K_READY2, tail)
end
redis.call('DEL', K_READY, K_DELAYED, K_UNIQUE, K_ITEMS, K_PUSHED)
for _, k in ipairs({ { K_READY2, K_READY }, { K_DELAYED2, K_DELAYED }, { K_UNIQUE2, K_UNIQUE } }) do
  if redis.call('EXISTS', k[1]) == 1 then
    redis.call('RENAME', k[1], k[2])
  end
end
redis.call('HDEL', K_META, 'migrating')
return { 0, moved, 0, flavour }
