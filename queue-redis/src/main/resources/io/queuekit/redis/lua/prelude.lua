-- Shared by the scripts (Scripts.java prepends this head to every script, and each function below
-- only to the scripts that call it, in this order: a function calls only those above it, and
-- nothing but functions follows the head). Every key a script touches is in KEYS, always in
-- this order, so scripts run unchanged on Redis Cluster (all keys share one hash tag).
-- KEYS[3] (T:items) and KEYS[12] (T:pushed) are layout 1's; only open.lua reads them, to migrate.
local K_READY, K_DELAYED, K_UNIQUE, K_META, K_WAKE, K_ROOM, K_CONSUMERS, K_DEAD, K_INFLIGHT,
  K_HEARTBEAT, K_FIRSTS, K_FIRSTN, K_BUSY, K_LEASES, K_PACKS = KEYS[1], KEYS[2], KEYS[4], KEYS[5],
  KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[13], KEYS[14], KEYS[15], KEYS[16],
  KEYS[17]

-- Lua's C stack bounds how many arguments one redis.call may take: bulk writes go in chunks.
local CHUNK = 500

-- The type of each key by KEYS index ('none', an absent key, is always fine): the standard keys,
-- then (18 to 20) the open script's migration keys. The one table of the keys' types: the client
-- reads it from here to name the type a key should hold (Scripts.KEY_TYPES), in the order of
-- RedisKeys.NAMES then RedisKeys.MIGRATION_NAMES.
local TYPES = { 'list', 'zset', 'hash', 'hash', 'hash', 'list', 'list', 'hash', 'zset', 'hash',
  'string', 'zset', 'zset', 'hash', 'set', 'zset', 'hash', 'list', 'zset', 'hash' }

-- Redis keeps what a script wrote before it failed, so a script must not fail after its first
-- write. Each one first makes sure of the type of every key it will write in this run (a stray
-- writer may have put something else there) and stops before changing anything; the client names
-- the key. A read through checked() made before the first write proves its key's type as it
-- reads; guard() runs TYPE for the others. A TYPE from Lua costs the server about what a read
-- costs, and a claim, a push and an ack checked 28 keys per batch this way, 28 of the batch's 60
-- commands: so each script reads first, then guards only the keys it writes and has
-- not read, and only those this run will write (a key that no command of this run touches may
-- hold anything: the run that writes it checks it). SET and DEL need no check: they replace or
-- remove a key of any type. Entries are then parsed without failing: a malformed one is data,
-- dead-lettered with its raw bytes.
-- typed: the KEYS indexes whose type this run has proved (guard() and checked() fill it).
local typed = {}

-- expect() stops the script when key, of type t (TYPE's answer), is neither absent nor a want.
local function expect(key, t, want)
  if t ~= 'none' and t ~= want then
    error({ err = 'WRONGTYPE queuekit key ' .. key .. ' holds a ' .. t .. ', not a ' .. want
      .. '; nothing was changed' })
  end
end

-- Checks the types of KEYS at the given indexes, skipping those this run has proved.
local function guard(...)
  for _, i in ipairs({ ... }) do
    if not typed[i] then
      expect(KEYS[i], redis.call('TYPE', KEYS[i])['ok'], TYPES[i])
      typed[i] = true
    end
  end
end

-- redis.call(cmd, KEYS[i], ...) for a command that only a key of TYPES[i]'s type (or an absent
-- one) answers, such as LLEN, HGET or ZRANGE: its answer proves the key's type (guard() then
-- skips it), and a key of another type stops the script naming it, as guard() would. Made before
-- the script's first write, it stands in for guard(i) at no cost; after it, it only names the key.
local function checked(i, cmd, ...)
  local r = redis.pcall(cmd, KEYS[i], ...)
  if type(r) == 'table' and r.err then
    expect(KEYS[i], redis.call('TYPE', KEYS[i])['ok'], TYPES[i])
    error(r)
  end
  typed[i] = true
  return r
end

-- Delivery and dead-letter ids come from HINCRBY on meta's seq, which fails on a value that is
-- not an integer: a script that may draw an id checks it before its first write (a draw failing
-- after it would strand what the script had moved). The id sequence cannot be repaired in
-- place (ids in flight must stay unique), so the script stops and the client names the value.
-- Ids are Lua numbers (doubles: exact below 2^53), so the sequence stays below 10^15, the bound
-- claimof() reads claims by. Returns the sequence's value (0 while absent).
local function guardseq()
  local s = checked(5, 'HGET', 'seq')
  if s and not (string.match(s, '^%d+$') and #s <= 15) then
    error({ err = 'ERR queuekit key ' .. K_META .. ' field seq holds "' .. string.sub(s, 1, 40)
      .. '", not a delivery id sequence (an integer below 10^15); nothing was changed' })
  end
  return tonumber(s) or 0
end

-- An entry is "deliveries:recoveries:firstPushedMs:digestHex:" followed by the payload bytes.
-- The digest is empty on simple queues, else 64 hex digits. A delayed member is a 16-digit
-- waiting id, ':', entry. header() returns the header's fields as strings and where the payload
-- starts, or nil for anything else (another program's or version's bytes).
local function header(e)
  local dc, rc, first, dg, pos = string.match(e, '^(%d+):(%d+):(%d+):(%x*):()')
  if not dc or #dc > 9 or #rc > 9 or #first > 15 or (#dg ~= 0 and #dg ~= 64) then
    return nil
  end
  return dc, rc, first, dg, pos
end

-- An entry as a table with its counts as numbers (header() gives them as strings, for a claim
-- that looks at every entry of a batch and rewrites almost none), or nil as header().
local function decode(e)
  local dc, rc, first, dg, pos = header(e)
  if not dc then
    return nil
  end
  return { dc = tonumber(dc), rc = tonumber(rc), first = first, dg = dg, e = e, pos = pos }
end

-- The payload of a decoded entry, cut out only when an entry is rewritten: a claim hands most
-- entries out as they are, and each copy of ~200 bytes through Lua costs the server per item.
local function payload(t)
  return t.payload or string.sub(t.e, t.pos)
end

local function encode(t)
  return string.format('%d:%d:', t.dc, t.rc) .. t.first .. ':' .. t.dg .. ':' .. payload(t)
end

-- Runs redis.call(cmd, key, items...) in chunks of CHUNK items (each item one or more args).
local function bulk(cmd, key, args, per)
  local step = CHUNK * (per or 1)
  for i = 1, #args, step do
    redis.call(cmd, key, unpack(args, i, math.min(i + step - 1, #args)))
  end
end

-- The unique set's values for the digests in dgs (a list), as digest -> value for those present:
-- one HMGET per CHUNK digests.
local function uniques(dgs)
  local found = {}
  for i = 1, #dgs, CHUNK do
    local got = checked(4, 'HMGET', unpack(dgs, i, math.min(i + CHUNK - 1, #dgs)))
    for j = 1, #got do
      if got[j] then
        found[dgs[i + j - 1]] = got[j]
      end
    end
  end
  return found
end

-- HINCRBY on a bookkeeping counter, which must not fail after a script's writes: a field that
-- is not an integer (another program's bytes) is set to the increment, as if it had been absent.
local function incr(key, field, by)
  local n = redis.pcall('HINCRBY', key, field, by)
  if type(n) == 'table' then
    redis.call('HSET', key, field, by)
    return by
  end
  return n
end

-- The waiting items' first-pushed times, counted per millisecond: K_FIRSTN (hash ms -> count)
-- and K_FIRSTS (zset of the ms with a count, score = ms), so the oldest is ZRANGE 0 0. A push
-- batch shares one ms: the bookkeeping costs per distinct ms, not per item.
local function firstsadd(ms, k)
  if incr(K_FIRSTN, ms, k) == k then
    redis.call('ZADD', K_FIRSTS, ms, ms)
  end
end

local function firstsdel(ms, k)
  if incr(K_FIRSTN, ms, -k) <= 0 then
    redis.call('HDEL', K_FIRSTN, ms)
    redis.call('ZREM', K_FIRSTS, ms)
  end
end

-- firstsdel() for a step that takes the items of firsts (ms -> how many) away, split so that it
-- reads before its first write: firstsplan() reads each ms's count (which proves T:firstn's type)
-- and guards T:firsts only when a count may reach 0; firstsapply() writes the plan: the count
-- less k, or the field and the ms gone at 0 or below. The outcome is firstsdel()'s: a value
-- HINCRBY refuses (no integer as Redis reads one: no leading zero, no "-0") counts as 0, as
-- incr() takes it; a count too long for an exact Lua number goes through firstsdel() itself.
-- One command fewer per ms than a TYPE of each key and an HINCRBY.
local function firstsplan(firsts)
  local plan, zero = {}, false
  for ms, k in pairs(firsts) do
    local v = checked(14, 'HGET', ms)
    local p = { k = k }
    if not v or not (v == '0' or string.match(v, '^%-?[1-9]%d*$')) then
      p.n = -k
    elseif #v <= 15 then
      p.n = tonumber(v) - k
    end
    plan[ms] = p
    zero = zero or not p.n or p.n <= 0
  end
  if zero then
    guard(13)
  end
  return plan
end

local function firstsapply(plan)
  for ms, p in pairs(plan) do
    if not p.n then
      firstsdel(ms, p.k)
    elseif p.n > 0 then
      redis.call('HSET', K_FIRSTN, ms, p.n)
    else
      redis.call('HDEL', K_FIRSTN, ms)
      redis.call('ZREM', K_FIRSTS, ms)
    end
  end
end

-- The unique set's value is "deliveries:recoveries": the largest counts of the waiting copy and
-- of every copy merged into it since; the claim takes them into the entry.
-- A malformed value counts as 0:0 (the entry's own counts then win, and the next write repairs it),
-- and so does one with a count of more than 9 digits, which header() would not read back (nor
-- the client, whose counts are ints): taken into an entry, it would make the claim hand out an
-- entry nobody can read.
local function counts(u)
  local dc, rc = string.match(u, '^(%d+):(%d+)$')
  if not dc or #dc > 9 or #rc > 9 then
    return 0, 0
  end
  return tonumber(dc), tonumber(rc)
end

local function nextid()
  return redis.call('HINCRBY', K_META, 'seq', 1)
end

-- Layout 4: a simple queue's push of several ready items in one transaction (PushTransaction)
-- keeps their entries together as a pack: a MessagePack array of the entries (what a claim's
-- field holds), stored in K_PACKS under an id the client drew, and one element in the ready list
-- for them all, a reference "P" k ":" firstPushedMs ":" id (an entry starts with a digit, never
-- with P). A claim whose batch is one reference takes it as it is, so the pack's bytes never
-- become Lua strings (each one the server hashes byte by byte); every other step that meets a
-- reference reads its pack. refof() reads a reference: k (a number, at least 1), the first-pushed
-- ms (digits) and the pack id, or nil for anything else.
local function refof(s)
  if string.byte(s, 1) ~= 80 then
    return nil
  end
  local k, first, id = string.match(s, '^P(%d+):(%d+):(.+)$')
  if not k or #k > 9 or #first > 15 or tonumber(k) < 1 then
    return nil
  end
  return tonumber(k), first, id
end

-- The entries of pack id as a list, or nil when it is absent or is not a MessagePack array of k
-- strings (then also its bytes, when present, for the step that dead-letters them raw).
local function packof(id, k)
  local body = checked(17, 'HGET', id)
  if not body then
    return nil
  end
  local ok, list = pcall(cmsgpack.unpack, body)
  if not ok or type(list) ~= 'table' or #list ~= k then
    return nil, body
  end
  for i = 1, k do
    if type(list[i]) ~= 'string' then
      return nil, body
    end
  end
  return list
end

-- Meta's packed counts the entries the ready list's references stand for beyond one each, so
-- LLEN plus it is how many items are ready. It counts only while the list exists, and the claim
-- that empties the list deletes it (a list deleted by another program leaves it stale until a
-- claim empties the list again). A value that is no number counts as 0 (and makes claims look
-- for references), and it is always written whole (setpacked), never by HINCRBY, which would
-- fail on such a value after a script's first write.
-- packedfield() reads the field as it is, for a caller that knows the list exists: -1 for a
-- value that is no count (the claim then looks for references in what it reads, as when some
-- are counted).
local function packedfield()
  local v = checked(5, 'HGET', 'packed')
  if not v then
    return 0
  end
  return #v <= 15 and string.match(v, '^%d+$') and tonumber(v) or -1
end

local function setpacked(n)
  if n > 0 then
    redis.call('HSET', K_META, 'packed', n)
  else
    redis.call('HDEL', K_META, 'packed')
  end
end

-- How many items are ready: the list's elements and what its references stand for; then the
-- packed count that took part (0 while the list is absent).
local function readycount()
  local n = checked(1, 'LLEN')
  if n == 0 then
    return 0, 0
  end
  local p = math.max(0, packedfield())
  return n + p, p
end

-- How many items wait (ready and delayed), then the packed count (readycount).
local function waiting()
  local ready, p = readycount()
  return ready + checked(2, 'ZCARD'), p
end

-- A push of count new entries (a simple queue's: no duplicates), room being LENGTH less the
-- entries waiting without them: how many fit, in order, and the reply's code for each, 0 (the
-- caller adds the 2 of an entry that did not fit).
local function fitting(count, room)
  local na = math.max(0, math.min(count, room))
  local out = {}
  for i = 1, na do
    out[i] = 0
  end
  return na, out
end

-- Moves an entry into waiting: 'tail', 'head', or a due time (ms) for the delayed set. On a
-- unique queue an identity already waiting absorbs it (larger counts kept, in the unique set's
-- value, which the claim applies): returns false.
local function admit(t, where)
  if t.dg ~= '' then
    local u = redis.call('HGET', K_UNIQUE, t.dg)
    if u then
      local dc, rc = counts(u)
      if t.dc > dc or t.rc > rc then
        redis.call('HSET', K_UNIQUE, t.dg,
          string.format('%d:%d', math.max(dc, t.dc), math.max(rc, t.rc)))
      end
      return false
    end
    redis.call('HSET', K_UNIQUE, t.dg, string.format('%d:%d', t.dc, t.rc))
  end
  firstsadd(t.first, 1)
  if where == 'tail' then
    redis.call('RPUSH', K_READY, encode(t))
  elseif where == 'head' then
    redis.call('LPUSH', K_READY, encode(t))
  else
    -- the zero-padded id keeps members distinct and equal due times in admission order
    redis.call('ZADD', K_DELAYED, where, string.format('%016d:', nextid()) .. encode(t))
  end
  return true
end

-- How many wake tokens may be added: the registered waiters less the tokens pending. A script
-- that wakes after its writes reads this before them, which proves both keys' types.
local function wakeroom()
  local waiters = checked(8, 'HLEN')
  if waiters == 0 then
    -- nobody to wake (a queue only pushed to so far): no need to count the tokens
    return 0
  end
  return waiters - checked(6, 'LLEN')
end

-- One wake token per newly ready item, never more tokens than registered waiters (free, as
-- wakeroom() answered it before this run's writes, or nil: read now): tokens are hints, so a
-- surplus would only wake waiters to nothing.
local function wake(n, free)
  if n <= 0 then
    return
  end
  local add = math.min(n, free or wakeroom())
  if add > 0 then
    -- one RPUSH for every token (each redis.call costs the script far more than an argument)
    local ones = {}
    for i = 1, add do
      ones[i] = '1'
    end
    bulk('RPUSH', K_WAKE, ones)
  end
end

-- Whether a producer that found the queue full set meta.full: a step reads it before its first
-- write when it then only needs room()'s keys checked (guard(1, 2, 7)) if it is set.
local function marked()
  return checked(5, 'HEXISTS', 'full') == 1
end

-- A producer that found the queue full set meta.full; the first step that leaves waiting below
-- LENGTH clears it and hands one room token to each room watcher. Returns 1 when it did. full:
-- marked()'s answer, read before the step's writes (nil: read now).
local function room(length, full)
  if full == nil then
    full = marked()
  end
  if full and waiting() < length then
    redis.call('HDEL', K_META, 'full')
    -- not a number (another program's bytes): one token, as with no watcher counted
    local n = tonumber(redis.call('HGET', K_META, 'roomwatchers')) or 0
    if n < 1 then
      n = 1
    end
    redis.call('DEL', K_ROOM)
    for _ = 1, math.min(n, 64) do
      redis.call('RPUSH', K_ROOM, '1')
    end
    return 1
  end
  return 0
end

-- The earliest delayed item's due time (ms), or nil when nothing is delayed.
local function firstdue()
  local first = checked(2, 'ZRANGE', 0, 0, 'WITHSCORES')
  return first[2] and tonumber(first[2])
end

-- Moves every delayed item due at now to the tail, by due time then admission order.
local function promote(now)
  local due = redis.call('ZRANGEBYSCORE', K_DELAYED, '-inf', now)
  if #due > 0 then
    for i, m in ipairs(due) do
      -- ours: a 16-digit waiting id, ':', the entry. Another program's member moves whole, so the
      -- claim that meets it dead-letters its raw bytes, not all but its first 17
      if string.find(m, '^%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d:') then
        due[i] = string.sub(m, 18)
      end
    end
    bulk('RPUSH', K_READY, due)
    redis.call('ZREMRANGEBYSCORE', K_DELAYED, '-inf', now)
  end
  return #due
end

-- A dead letter is "id:deliveries:recoveries:firstPushedMs:deadAtMs:digestHex:reasonLength:"
-- then the reason, then the payload; its score is its id, so newest first is descending score.
-- Returns nil for a member that is not one (another program's bytes): it stays where it is.
local function decodedead(m)
  local id, dc, rc, first, dead, dg, rlen, pos =
    string.match(m, '^(%d+):(%d+):(%d+):(%d+):(%d+):(%x*):(%d+):()')
  if not id or #rlen > 9 or (#dg ~= 0 and #dg ~= 64) or pos + tonumber(rlen) - 1 > #m then
    return nil
  end
  rlen = tonumber(rlen)
  return { id = id, dc = tonumber(dc), rc = tonumber(rc), first = first, dead = dead, dg = dg,
    reason = string.sub(m, pos, pos + rlen - 1), payload = string.sub(m, pos + rlen) }
end

-- Adds a dead letter, then drops the oldest beyond the cap. Appends to out, for each dropped
-- entry, its reason and first 200 payload bytes (the caller logs them). A dead letter the store
-- makes by itself (quarantine, a malformed entry) is also appended, as stored, to made: the
-- client reports it to the queue's listeners.
local function bury(t, reason, now, cap, out, made)
  local id = nextid()
  local m = string.format('%016d:%d:%d:', id, t.dc, t.rc) .. t.first .. ':' .. now .. ':'
    .. t.dg .. ':' .. #reason .. ':' .. reason .. payload(t)
  redis.call('ZADD', K_DEAD, id, m)
  if made then
    table.insert(made, m)
  end
  local over = redis.call('ZCARD', K_DEAD) - cap
  if over > 0 then
    local gone = redis.call('ZPOPMIN', K_DEAD, over)
    for i = 1, #gone, 2 do
      -- a member that is no dead letter (another program's bytes) is dropped as it is: an error
      -- here would come after this script's writes, which Redis does not roll back
      local d = decodedead(gone[i])
      if d then
        table.insert(out, d.reason)
        table.insert(out, string.sub(d.payload, 1, 200))
      else
        table.insert(out, 'malformed dead letter (written by another program or version)')
        table.insert(out, string.sub(gone[i], 1, 200))
      end
    end
    incr(K_META, 'deaddropped', over)
  end
end

-- A claim's entries stay in flight as one field of the consumer's in-flight hash (layout 3):
-- "c" firstDid ":" n -> the n entries as a MessagePack array (Redis's built-in cmsgpack packs
-- them in C), their delivery ids firstDid .. firstDid + n - 1. So a claim writes one field and
-- an ack of the whole claim deletes one, where one field per entry cost the server a copy and a
-- formatted id per item. claimfield() names the field of a claim (first and n, numbers or their
-- digits); claimname() reads a field's name back: firstDid and n as numbers, or nil for a name
-- that is no claim's (a delivery id's, or another program's). A claim holds at least one entry
-- (a claim that takes none writes no field): a field of n = 0 is another program's, dead-lettered
-- raw like any field that is no claim, or it would hold nothing that a settle or a sweep could
-- ever clear, and keep its consumer busy for good.
-- Layout 4 adds a claim of one pack taken as it is: "r" firstDid ":" n -> the pack's reference
-- (refof), whose n entries stay in K_PACKS until the claim is settled (claimname's third answer
-- is true for it). Its ack reads the small reference, never the pack.
local function claimfield(first, n)
  return string.format('c%d:%d', first, n)
end

local function claimname(f)
  local kind, first, n = string.match(f, '^([cr])(%d+):(%d+)$')
  if not first or #first > 15 or #n > 9 then
    return nil
  end
  n = tonumber(n)
  if n == 0 then
    return nil
  end
  return tonumber(first), n, kind == 'r'
end

-- The delivery ids first .. first + n - 1 as strings (the in-flight hash's fields).
local function claimids(first, n)
  local ids = {}
  for j = 1, n do
    ids[j] = string.format('%d', first + j - 1)
  end
  return ids
end

-- Field f (value v) as a claim: firstDid (a number) and the entries, and for a claim of a pack
-- its id (deleted with the field), or nil for a field that is not such a claim (claimname),
-- whose value does not unpack to its n strings, or whose pack is missing or does not.
local function claimof(f, v)
  local first, n, ref = claimname(f)
  if not first then
    return nil
  end
  if ref then
    local k, _, id = refof(v)
    local list = k == n and packof(id, n)
    if not list then
      return nil
    end
    return first, list, id
  end
  local ok, list = pcall(cmsgpack.unpack, v)
  if not ok or type(list) ~= 'table' or #list ~= n then
    return nil
  end
  for i = 1, #list do
    if type(list[i]) ~= 'string' then
      return nil
    end
  end
  return first, list
end

-- Replaces claim field f (value v) by one field per entry, delivery id -> entry (layout 2's), for
-- a step that settles part of a claim (a partial ack, a release, a dead-letter, a sweep, an
-- unclaim). A field that is no claim is left as it is: it moves as data, and the recovery or
-- sweep that meets it dead-letters its raw bytes. Returns whether it was replaced.
local function explode(f, v)
  local first, list, pack = claimof(f, v)
  if not first then
    return false
  end
  local fields = {}
  for j, id in ipairs(claimids(first, #list)) do
    fields[2 * j - 1] = id
    fields[2 * j] = list[j]
  end
  redis.call('HDEL', K_INFLIGHT, f)
  if pack then
    redis.call('HDEL', K_PACKS, pack)
  end
  bulk('HSET', K_INFLIGHT, fields, 2)
  return true
end

-- What a field that claimof() does not read stands for, for the step that dead-letters it raw:
-- the pack a claim's reference names, when there is one (its id is then the second answer: it
-- goes with the field), else the value itself.
local function rawof(f, v)
  local _, _, ref = claimname(f)
  if ref then
    local _, _, id = refof(v)
    local body = id and redis.call('HGET', K_PACKS, id)
    if body then
      return body, id
    end
  end
  return v
end

-- explode() for claim field f when it is in flight (ARGV's '' names none).
local function explodefield(f)
  if f ~= '' then
    local v = checked(10, 'HGET', f)
    if v then
      explode(f, v)
    end
  end
end

-- The in-flight entries of K_INFLIGHT, ordered by delivery id (claim order), a claim's field
-- read as its entries; f is the field as stored (a field that is not a number, another
-- program's, sorts first). Also the ids of the packs its claims name (rawof), which go with the
-- hash.
local function inflight()
  local flat = redis.call('HGETALL', K_INFLIGHT)
  local list, packs = {}, {}
  for i = 1, #flat, 2 do
    local first, claimed, pack = claimof(flat[i], flat[i + 1])
    if first then
      for j, e in ipairs(claimed) do
        table.insert(list, { did = first + j - 1, f = flat[i], e = e })
      end
    else
      local raw
      raw, pack = rawof(flat[i], flat[i + 1])
      table.insert(list, { did = tonumber(flat[i]) or -1, f = flat[i], e = raw })
    end
    if pack then
      table.insert(packs, pack)
    end
  end
  table.sort(list, function(a, b) return a.did < b.did end)
  return list, packs
end

-- Moves copies back to the head keeping their order (unclaim, recovery, sweep). On a unique queue
-- a copy whose identity is already waiting, or comes earlier in the list, is merged (larger
-- counts kept). Returns the outcome per copy (1 back, 2 merged) and how many went back.
local function admitheads(list)
  local out, keep, seen = {}, {}, {}
  for i, t in ipairs(list) do
    if t.dg ~= '' and seen[t.dg] then
      local k = list[seen[t.dg]]
      k.dc = math.max(k.dc, t.dc)
      k.rc = math.max(k.rc, t.rc)
      out[i] = 2
    elseif t.dg ~= '' and redis.call('HEXISTS', K_UNIQUE, t.dg) == 1 then
      admit(t, 'head')
      out[i] = 2
    else
      keep[i] = true
      if t.dg ~= '' then
        seen[t.dg] = i
      end
      out[i] = 1
    end
  end
  local added = 0
  for i = #list, 1, -1 do
    if keep[i] then
      admit(list[i], 'head')
      added = added + 1
    end
  end
  return out, added
end

-- Dead-letters a malformed entry found in where (a key's role) by its raw bytes, as data.
local function buryraw(e, where, now, cap, out, made)
  bury({ dc = 0, rc = 0, first = now, dg = '', payload = e }, 'malformed entry in ' .. where
    .. ' (expected "deliveries:recoveries:firstPushedMs:digest:" then the payload): '
    .. 'written by another program or version', now, cap, out, made)
end

-- The tail of a reply that reports what the store dead-lettered by itself: the count, the
-- members, then the dropped pairs.
local function tail(out, made, dropped)
  table.insert(out, #made)
  for _, m in ipairs(made) do
    table.insert(out, m)
  end
  for _, d in ipairs(dropped) do
    table.insert(out, d)
  end
  return out
end

-- GLOBAL_MAX_WORKERS: K_LEASES holds one member per claim whose items are not all settled yet,
-- "firstDid:left:consumer" with score lastDid (a claim's delivery ids are consecutive, so the
-- lease of a delivery id is the member with the smallest score at or above it whose firstDid is
-- at or below it). Absent while no capped claim holds items: whether it exists is the one read a
-- settle pays for the cap. Returns whether leases exist; a key of another type stops the script
-- before its first write, like guard().
local function leasing()
  local t = redis.call('TYPE', K_LEASES)['ok']
  expect(K_LEASES, t, 'zset')
  return t ~= 'none'
end

-- GLOBAL_MAX_WORKERS (global > 0): how many leases T:leases holds, n being its ZCARD, and its
-- members that are no lease (another program's bytes): those name no consumer whose recovery
-- would free them, so they are not counted, or they would hold a slot for good. The members are
-- read only when n reaches the cap (the cap's few members).
local function leasecount(global, n)
  local junk = {}
  if n >= global then
    for _, m in ipairs(redis.call('ZRANGE', K_LEASES, 0, -1)) do
      if not string.match(m, '^%d+:%d+:.') then
        junk[#junk + 1] = m
      end
    end
  end
  return n - #junk, junk
end

-- Whether GLOBAL_MAX_WORKERS (global; 0: off) claims hold every slot of the cap now: a waiter
-- woken for ready items would only find the cap, so steps that wake for them (push, the beat's
-- look) leave no token then; the settle that frees a lease wakes one. A T:leases of another type
-- counts as not capped here: the claims refuse it and name the key.
local function capped(global)
  if global <= 0 then
    return false
  end
  local n = redis.pcall('ZCARD', K_LEASES)
  return type(n) == 'number' and n >= global and leasecount(global, n) >= global
end

-- The wake for leases a settle freed (freed, how many): one token, and none while one is pending
-- (tokens, the wake list's length, which the caller read with count before its first write).
-- One is enough: the claim it wakes takes a slot and, while slots and ready items remain, passes
-- the wake on (claim.lua wakes for the items it left). Two commands, not wake()'s three.
local function leasewake(freed, tokens)
  if freed > 0 and tokens == 0 then
    redis.call('RPUSH', K_WAKE, '1')
  end
end

-- The delivery ids in ids (strings) were settled now (their in-flight entries deleted): each
-- counts down its lease; a lease at 0 is deleted. Returns how many leases were freed (the caller
-- wakes that many waiters: a capped claim waits for them). Ids of claims made while the cap was
-- off have no lease and are skipped.
local function unlease(ids)
  local left, order = {}, {}
  local m, first, last
  for _, id in ipairs(ids) do
    local did = tonumber(id)
    if did and not (m and did >= first and did <= last) then
      m = nil
      local got = redis.call('ZRANGEBYSCORE', K_LEASES, id, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
      if got[1] then
        local f, n = string.match(got[1], '^(%d+):(%d+):')
        if f and tonumber(f) <= did then
          m, first, last = got[1], tonumber(f), tonumber(got[2])
          if not left[m] then
            left[m] = tonumber(n)
            table.insert(order, { m = m, score = got[2] })
          end
        end
      end
    end
    if m and did then
      left[m] = left[m] - 1
    end
  end
  local freed = 0
  for _, x in ipairs(order) do
    redis.call('ZREM', K_LEASES, x.m)
    local n = left[x.m]
    if n > 0 then
      local f, rest = string.match(x.m, '^(%d+):%d+:(.*)$')
      redis.call('ZADD', K_LEASES, x.score, f .. ':' .. n .. ':' .. rest)
    else
      freed = freed + 1
    end
  end
  return freed
end
