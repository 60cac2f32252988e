package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.QueueSettings;
import io.queuekit.conformance.MutableClock;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/** Opens queues for this module's own tests, and closes them all afterwards. */
final class Queues implements AutoCloseable {
  private static final AtomicInteger NAMES = new AtomicInteger();

  final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "test-scheduler");
    t.setDaemon(true);
    return t;
  });
  final MutableClock clock = MutableClock.atEpoch2026();
  private final List<RedisQueue> open = new ArrayList<>();
  private final String connStr;

  Queues(String connStr) {
    this.connStr = connStr;
  }

  static String uniqueName(String base) {
    return base + NAMES.incrementAndGet();
  }

  /** A key of queue {@code name} by its role ({@code "ready"}, {@code "meta"}, ...). */
  static String key(String name, String role) {
    return "{" + name + "_queue}:" + role;
  }

  /** Claims and acks until nothing is ready; the payloads in claim order. */
  static List<String> claimAll(RedisQueue q) {
    List<String> out = new ArrayList<>();
    for (List<Delivery> ds; !(ds = q.claim(100, Duration.ZERO)).isEmpty(); ) {
      out.addAll(RedisQueueTest.payloads(ds));
      assertThat(q.ack(ds)).containsOnly(Outcome.DONE);
    }
    return out;
  }

  QueueSettings.Builder settings() {
    return QueueSettings.builder().type("redis").connStr(connStr)
        .consumerTimeout(Duration.ofSeconds(3));
  }

  RedisQueue open(String name, boolean unique) {
    return open(name, unique, settings().build());
  }

  RedisQueue open(String name, boolean unique, QueueSettings settings) {
    return open(name, unique, settings, clock);
  }

  RedisQueue open(String name, boolean unique, QueueSettings settings, Clock clock) {
    return open(name, unique, settings, clock, io.queuekit.spi.StoreEvents.NONE);
  }

  RedisQueue open(String name, boolean unique, QueueSettings settings, Clock clock,
      io.queuekit.spi.StoreEvents events) {
    BaseQueueConfig config = new BaseQueueConfig(name, settings, unique, clock, scheduler,
        Path.of("target"), events);
    RedisQueue q = (RedisQueue) new RedisQueueFactory(new SharedClient.StartPolicy(2,
        Duration.ofMillis(100)), Duration.ofMillis(500)).create("redis", config);
    synchronized (open) {
      open.add(q);
    }
    return q;
  }

  @Override
  public void close() {
    synchronized (open) {
      for (RedisQueue q : open) {
        q.close();
      }
      open.clear();
    }
    scheduler.shutdownNow();
  }
}
