-- KEYS after the standard ones: the in-flight hashes of the n registered consumers, then their
-- heartbeat keys in the same order.
-- ARGV: now, n, CONSUMER_TIMEOUT ms (the PX of a heartbeat whose value does not say its own).
-- Delayed items already due count as ready (a claim would take them now).
-- Returns {ready, delayed, in flight, dead, dead dropped, oldest first-pushed ms or -1,
-- live consumers, ms since the stalest live one last beat or -1}.
local n = tonumber(ARGV[2])
local base = #KEYS - 2 * n
local inflight, live, stalest = 0, 0, -1
for i = base + 1, base + n do
  -- a consumer's key of another type is named, not left to Redis's bare WRONGTYPE
  local h = redis.pcall('HLEN', KEYS[i])
  if type(h) == 'table' then
    expect(KEYS[i], redis.call('TYPE', KEYS[i])['ok'], 'hash')
  end
  if h > 0 then
    -- a claim's field holds its n entries (claimof), any other field one. The census runs often
    -- (dashboards, metrics), so a claim is counted by its name, not read: its size must fit its
    -- count (a packed entry takes at least 8 bytes), or it counts one, as the recovery that
    -- dead-letters a field that is no claim counts it
    for _, f in ipairs(redis.call('HKEYS', KEYS[i])) do
      local _, n, ref = claimname(f)
      local fits
      if ref then
        -- a claim of one pack holds its small reference (the pack is not read)
        fits = n and refof(redis.call('HGET', KEYS[i], f) or '') == n
      else
        fits = n and redis.call('HSTRLEN', KEYS[i], f) >= 8 * n
      end
      if fits then
        inflight = inflight + n
      else
        inflight = inflight + 1
      end
    end
  end
  -- a heartbeat's value is the PX it was set with, so its age is that minus the time left
  local hb = KEYS[i + n]
  local left = redis.call('PTTL', hb)
  if left > 0 then
    live = live + 1
    -- not a string (another program's): its age is judged by CONSUMER_TIMEOUT
    local v = redis.pcall('GET', hb)
    local px = type(v) == 'string' and tonumber(v)
    if not px or px < left then
      px = tonumber(ARGV[3])
    end
    stalest = math.max(stalest, math.max(0, px - left))
  end
end
local oldest = -1
local first = redis.call('ZRANGE', K_FIRSTS, 0, 0, 'WITHSCORES')
if first[2] then
  oldest = tonumber(first[2])
end
local due = redis.call('ZCOUNT', K_DELAYED, '-inf', ARGV[1])
return { readycount() + due, redis.call('ZCARD', K_DELAYED) - due, inflight,
  redis.call('ZCARD', K_DEAD), tonumber(redis.call('HGET', K_META, 'deaddropped')) or 0,
  oldest, live, stalest }
