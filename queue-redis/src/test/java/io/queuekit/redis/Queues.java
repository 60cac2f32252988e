package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.QueueSettings;
import io.queuekit.conformance.MutableClock;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
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
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Opens queues for this module's own tests, and closes them all afterwards: at {@link #close}, or
 * after each test when registered as an instance field ({@link #on}).
 */
final class Queues implements AutoCloseable, AfterEachCallback {
  private static final AtomicInteger NAMES = new AtomicInteger();

  final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "test-scheduler");
    t.setDaemon(true);
    return t;
  });
  final MutableClock clock = MutableClock.atEpoch2026();
  private final List<RedisQueue> open = new ArrayList<>();
  /** One factory for every queue here, so they share its clients as a manager's queues do. */
  private final RedisQueueFactory factory = new RedisQueueFactory(new SharedClient.StartPolicy(2,
      Duration.ofMillis(100)), Duration.ofMillis(500));
  private final Supplier<String> connStr;
  /** Opens a raw client on the same server; null where the queues were given a URI alone. */
  private final Supplier<Resp> clients;
  /** {@link #admin}, opened at first use. */
  private Resp admin;

  Queues(String connStr) {
    this(() -> connStr, null);
  }

  private Queues(Supplier<String> connStr, Supplier<Resp> clients) {
    this.connStr = connStr;
    this.clients = clients;
  }

  /**
   * Queues on {@code redis}'s server, for a test class's instance field: {@code
   * @RegisterExtension final Queues queues = Queues.on(redis);} opens them per test and closes
   * them after it. The server is looked up at first use, since it starts before all tests.
   */
  static Queues on(RedisServerExtension redis) {
    return new Queues(() -> redis.server().connStr(), () -> redis.server().client());
  }

  /** A raw client on the queues' server, opened at first use and closed with them. */
  synchronized Resp admin() {
    if (clients == null) {
      throw new IllegalStateException("these queues were given a URI alone: no server to ask");
    }
    if (admin == null) {
      admin = clients.get();
    }
    return admin;
  }

  static String uniqueName(String base) {
    return base + NAMES.incrementAndGet();
  }

  /** A key of queue {@code name} by its role ({@code "ready"}, {@code "meta"}, ...). */
  static String key(String name, String role) {
    return "{" + name + "_queue}:" + role;
  }

  /**
   * Pushes each payload on its own, so each waits as a single entry (a push of several ready
   * items together makes a pack: layout 4).
   */
  static void pushEach(RedisQueue q, String... payloads) {
    for (String p : payloads) {
      assertThat(q.push(RedisQueueTest.item(p), Duration.ZERO, Duration.ofSeconds(30)))
          .isEqualTo(io.queuekit.PushResult.ADDED);
    }
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
    return QueueSettings.builder().type("redis").connStr(connStr.get())
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
    return open(new BaseQueueConfig(name, settings, unique, clock, scheduler, Path.of("target"),
        events));
  }

  /** Opens only an existing queue, as its stored flavour ({@link BaseQueueConfig.Open#EXISTING}). */
  RedisQueue openExisting(String name, boolean unique) {
    return open(new BaseQueueConfig(name, settings().build(), unique, clock, scheduler,
        Path.of("target"), io.queuekit.spi.StoreEvents.NONE, BaseQueueConfig.Open.EXISTING));
  }

  private RedisQueue open(BaseQueueConfig config) {
    RedisQueue q = (RedisQueue) factory.create("redis", config);
    synchronized (open) {
      open.add(q);
    }
    return q;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    close();
  }

  @Override
  public void close() {
    synchronized (open) {
      for (RedisQueue q : open) {
        q.close();
      }
      open.clear();
    }
    synchronized (this) {
      if (admin != null) {
        admin.close();
        admin = null;
      }
    }
    scheduler.shutdownNow();
  }
}
