package io.queuekit.redis;

import io.queuekit.conformance.redis.Resp;

/**
 * A consumer's in-flight hash as tests see it. Layout 3 keeps a claim's entries as one field
 * ({@code c<firstDid>:<n>}, a MessagePack array: see {@link RedisLayout}), layout 4 a claim of
 * one pack as its reference ({@code r<firstDid>:<n>}, the pack in {@code T:packs}); a test that plants a
 * fault in one entry first explodes the claims into one field per delivery id, as a step that
 * settles part of a claim does, with the server's own {@code cmsgpack}.
 */
final class InFlight {
  private static final String EXPLODE = "local flat = redis.call('HGETALL', KEYS[1]) "
      + "for i = 1, #flat, 2 do "
      + "  local kind, first = string.match(flat[i], '^([cr])(%d+):%d+$') "
      + "  if first then "
      + "    local v = flat[i + 1] "
      + "    if kind == 'r' then "
      + "      local id = string.match(v, '^P%d+:%d+:(.+)$') "
      + "      v = redis.call('HGET', KEYS[2], id) "
      + "      redis.call('HDEL', KEYS[2], id) "
      + "    end "
      + "    redis.call('HDEL', KEYS[1], flat[i]) "
      + "    for j, e in ipairs(cmsgpack.unpack(v)) do "
      + "      redis.call('HSET', KEYS[1], string.format('%d', first + j - 1), e) "
      + "    end "
      + "  end "
      + "end";
  private static final String COUNT = "local n = 0 "
      + "for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do "
      + "  n = n + (tonumber(string.match(f, '^[cr]%d+:(%d+)$')) or 1) "
      + "end "
      + "return n";

  private InFlight() {}

  /** Replaces every claim field of {@code key} by one field per delivery id → entry. */
  static void explode(Resp r, String key) {
    r.call("EVAL", EXPLODE, "2", key, key.substring(0, key.indexOf("}:") + 1) + ":packs");
  }

  /** How many items {@code key} holds in flight: a claim field counts its n. */
  static long count(Resp r, String key) {
    return (Long) r.call("EVAL", COUNT, "1", key);
  }
}
