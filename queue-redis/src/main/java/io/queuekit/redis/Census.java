package io.queuekit.redis;

import static io.queuekit.redis.Entries.str;
import static io.queuekit.redis.Entries.utf8;

import io.queuekit.QueueHealth;
import io.queuekit.redis.Scripts.Script;
import io.queuekit.spi.StoreStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The store's counts of a {@link RedisQueue} and the consumers it sees, read together: the
 * registry ({@code HKEYS T:consumers}), then one stats script over the standard keys and every
 * registered consumer's in-flight hash and heartbeat. A heartbeat's value is the {@code PX} it
 * was set with, so the time since a consumer's last beat is that minus its {@code PTTL}
 * (server-side, no clock skew between hosts). A consumer killed without closing stays live until
 * its heartbeat lapses; the reaper unregisters it after that.
 *
 * <p>{@link #consumers()} answers from the last {@link #stats()} when that is under a second old
 * (a health check reads stats first), else reads both: never a round trip per consumer.
 *
 * <p><b>Thread-safety:</b> safe for any number of threads. <b>Ordering:</b> not applicable.
 * <b>Durability:</b> reads only.
 */
final class Census {
  private static final long FRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final RedisCalls calls;
  private final SharedClient shared;
  private final RedisKeys keys;
  private final Clock clock;
  private final long ttlMs;

  private record Seen(QueueHealth.Consumers consumers, long atNanos) {}

  private volatile Seen last;

  Census(RedisCalls calls, SharedClient shared, RedisKeys keys, Clock clock, long ttlMs) {
    this.calls = calls;
    this.shared = shared;
    this.keys = keys;
    this.clock = clock;
    this.ttlMs = ttlMs;
  }

  /** @throws io.queuekit.QueueUnavailableException when Redis cannot be reached */
  StoreStats stats() {
    List<byte[]> ids = calls.get(shared.async.hkeys(RedisKeys.b(keys.consumers)), "stats");
    byte[][] std = keys.script(null);
    int n = ids.size();
    byte[][] all = Arrays.copyOf(std, std.length + 2 * n);
    for (int i = 0; i < n; i++) {
      String c = utf8(ids.get(i));
      all[std.length + i] = RedisKeys.b(keys.inflight(c));
      all[std.length + n + i] = RedisKeys.b(keys.heartbeat(c));
    }
    List<Object> r = calls.callKeys(Script.STATS, all, str(clock.millis()), str(n), str(ttlMs));
    long oldest = (Long) r.get(5);
    long stalest = (Long) r.get(7);
    last = new Seen(new QueueHealth.Consumers(((Long) r.get(6)).intValue(),
        stalest < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(stalest))),
        System.nanoTime());
    return new StoreStats((Long) r.get(0), (Long) r.get(1), (Long) r.get(2), (Long) r.get(3),
        (Long) r.get(4), oldest < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(oldest)));
  }

  /** @throws io.queuekit.QueueUnavailableException when Redis cannot be reached */
  Optional<QueueHealth.Consumers> consumers() {
    Seen s = last;
    if (s == null || System.nanoTime() - s.atNanos >= FRESH_NANOS) {
      stats();
      s = last;
    }
    return Optional.of(s.consumers);
  }
}
