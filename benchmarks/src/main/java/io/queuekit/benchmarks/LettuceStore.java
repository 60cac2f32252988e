package io.queuekit.benchmarks;

import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The raw Lettuce baseline: one Redis list, {@code LPUSH} at the tail and {@code RPOP} at the
 * head, pipelined as feasibility.md §4c measured it (auto-flush off, the batch's commands written,
 * {@code flushCommands()}, then {@code LettuceFutures.awaitAll}). Each producer thread has its own
 * connection (a pipeline is per connection), and so has the consumer side.
 *
 * <ul>
 *   <li>put: one {@code LPUSH key item} per item, all of a push call in one flush;
 *   <li>take: {@code max} {@code RPOP key} in one flush, the nils dropped; when all were nil and
 *       the caller may wait, one {@code BRPOP key timeout} (the consumer's connection is its own,
 *       so blocking it blocks nobody else).
 * </ul>
 *
 * <p>At-most-once: an item popped is gone. An at-least-once version would {@code LMOVE} to an
 * in-flight list and {@code LREM} on ack: our side's work, not this baseline's.
 */
final class LettuceStore implements RawStore {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private final RedisClient client;
  private final byte[] key;
  private final Map<Thread, StatefulRedisConnection<byte[], byte[]>> producers =
      new ConcurrentHashMap<>();
  private final StatefulRedisConnection<byte[], byte[]> consumer;

  /**
   * @param uri {@code redis://host:port/db}
   * @param key the list; deleted first, so each store starts empty
   */
  LettuceStore(String uri, String key) {
    this(uri, key, true);
  }

  /**
   * @param clear delete the list first (false where another process shares it)
   */
  LettuceStore(String uri, String key, boolean clear) {
    this.client = RedisClient.create(uri);
    this.key = key.getBytes(StandardCharsets.UTF_8);
    this.consumer = client.connect(ByteArrayCodec.INSTANCE);
    if (clear) {
      this.consumer.sync().del(this.key);
    }
    this.consumer.setAutoFlushCommands(false);
  }

  private StatefulRedisConnection<byte[], byte[]> producer() {
    return producers.computeIfAbsent(Thread.currentThread(), t -> {
      StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE);
      c.setAutoFlushCommands(false);
      return c;
    });
  }

  @Override
  public void put(List<byte[]> items) {
    StatefulRedisConnection<byte[], byte[]> c = producer();
    List<RedisFuture<Long>> fs = new ArrayList<>(items.size());
    for (byte[] item : items) {
      fs.add(c.async().lpush(key, item));
    }
    c.flushCommands();
    await(fs);
  }

  @Override
  public List<byte[]> take(int max, long waitNanos) {
    List<RedisFuture<byte[]>> fs = new ArrayList<>(max);
    for (int i = 0; i < max; i++) {
      fs.add(consumer.async().rpop(key));
    }
    consumer.flushCommands();
    await(fs);
    List<byte[]> out = new ArrayList<>(max);
    for (RedisFuture<byte[]> f : fs) {
      byte[] v = f.toCompletableFuture().join();
      if (v != null) {
        out.add(v);
      }
    }
    if (out.isEmpty() && waitNanos >= TimeUnit.MILLISECONDS.toNanos(10)) {
      // BRPOP takes a timeout in seconds with a fraction (Redis ≥ 6).
      RedisFuture<KeyValue<byte[], byte[]>> f = consumer.async().brpop(waitNanos / 1e9, key);
      consumer.flushCommands();
      await(List.of(f));
      KeyValue<byte[], byte[]> kv = f.toCompletableFuture().join();
      if (kv != null && kv.hasValue()) {
        out.add(kv.getValue());
      }
    }
    return out;
  }

  private static void await(List<? extends RedisFuture<?>> fs) {
    if (!LettuceFutures.awaitAll(TIMEOUT, fs.toArray(new RedisFuture<?>[0]))) {
      throw new IllegalStateException("Redis did not answer " + fs.size() + " commands in "
          + TIMEOUT.toSeconds() + "s");
    }
  }

  @Override
  public String describe() {
    StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE);
    try {
      return "Redis list: LLEN " + c.sync().llen(key);
    } finally {
      c.close();
    }
  }

  @Override
  public void close() {
    try {
      producers.values().forEach(StatefulRedisConnection::close);
      consumer.close();
    } finally {
      client.shutdown();
    }
  }
}
