package io.queuekit.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.queuekit.Codec;
import io.queuekit.PermanentFailure;
import io.queuekit.PushResult;
import io.queuekit.QueueConfig;
import io.queuekit.QueueFullException;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueSpec;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.conformance.MutableClock;
import io.queuekit.conformance.postgres.PostgresServer;
import io.queuekit.conformance.redis.RedisServer;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueues;
import io.queuekit.spi.Item;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The meters of real queues move as items are pushed, handled, retried, dead-lettered (each cause)
 * and recovered.
 */
class QueuekitMetricsTest {
  @TempDir Path data;

  private static double gauge(MeterRegistry r, String name, String queue) {
    return r.get(name).tag("queue", queue).gauge().value();
  }

  private static double counter(MeterRegistry r, String name, String queue) {
    return r.get(name).tag("queue", queue).functionCounter().count();
  }

  /** A counter's count, whichever kind of counter it is. */
  private static double counted(MeterRegistry r, String name, String queue) {
    return r.get(name).tag("queue", queue).meter().measure().iterator().next().getValue();
  }

  private static double counted(MeterRegistry r, String name, String queue, String tag, String value) {
    return r.get(name).tag("queue", queue).tag(tag, value).counter().count();
  }

  /** JSON, except that an item "undecodable-*" cannot be read back. */
  private static final Codec<String> CODEC = new Codec<>() {
    private final Codec<String> json = Codec.json(String.class);

    @Override
    public byte[] encode(String item) {
      return json.encode(item);
    }

    @Override
    public String decode(byte[] bytes) throws Exception {
      String s = json.decode(bytes);
      if (s.startsWith("undecodable-")) {
        throw new IllegalArgumentException("test codec refuses " + s);
      }
      return s;
    }
  };

  /**
   * Items "bad-*" die (permanent failure), "retry-*" fail once, "never-*" always fail (dead at
   * MAX_DELIVERIES), "undecodable-*" cannot be decoded, the rest are handled.
   */
  private static WorkerPoolQueue<String> queue(QueueManager m, String name, Set<String> failedOnce) {
    return m.create(QueueSpec.simple(name, String.class, batch -> {
      List<Object> out = new ArrayList<>();
      for (String s : batch) {
        if (s.startsWith("bad-")) {
          out.add(new PermanentFailure(s, "bad"));
        } else if (s.startsWith("retry-") && failedOnce.add(s) || s.startsWith("never-")) {
          out.add(s);
        }
      }
      return out;
    }).codec(CODEC));
  }

  private void movesAsItemsFlow(QueueSettings settings) {
    MeterRegistry registry = new SimpleMeterRegistry();
    Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    MutableClock clock = new MutableClock(Instant.now());
    try (QueueManager m = QueueManager.builder().dataPath(data).config(QueueConfig.of(settings))
        .clock(clock).claimWait(Duration.ofMillis(200)).build()) {
      new QueuekitMetrics(m).bindTo(registry);
      WorkerPoolQueue<String> q = queue(m, "mail", failedOnce); // created after binding
      assertThat(registry.get("queuekit.queue.ready").tag("type", settings.type()).gauges()).hasSize(1);
      System.gc(); // Micrometer holds meter objects weakly: the binder must keep them alive
      q.pause();
      for (String s : List.of("a", "b", "retry-c", "bad-d", "never-e", "undecodable-f")) {
        q.push(s);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> gauge(registry, "queuekit.queue.ready", "mail") == 6);
      assertThat(counted(registry, "queuekit.queue.pushed", "mail", "result", "added")).isEqualTo(6);
      clock.advance(Duration.ofSeconds(5)); // every item then waited at least 5s by the queue clock
      assertThat(gauge(registry, "queuekit.queue.paused", "mail")).isEqualTo(1);
      assertThat(gauge(registry, "queuekit.queue.oldest.waiting.age", "mail")).isGreaterThanOrEqualTo(0);
      assertThat(gauge(registry, "queuekit.queue.store.reachable", "mail")).isEqualTo(1);
      assertThat(gauge(registry, "queuekit.queue.workers.max", "mail")).isEqualTo(settings.maxWorkers());
      q.resume();
      assertThat(q.flush(Duration.ofSeconds(30))).isTrue();
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(counter(registry, "queuekit.queue.handled", "mail")).isEqualTo(3);
        // retry-c once, never-e once (its second delivery dead-letters it: not released)
        assertThat(counted(registry, "queuekit.queue.released", "mail")).isEqualTo(2);
        assertThat(q.stats().unhandled()).as("deliveries that ended unhandled").isEqualTo(3);
        assertThat(counted(registry, "queuekit.queue.dead.lettered", "mail", "reason", "permanent")).isEqualTo(1);
        assertThat(counted(registry, "queuekit.queue.dead.lettered", "mail", "reason", "max_deliveries")).isEqualTo(1);
        assertThat(counted(registry, "queuekit.queue.dead.lettered", "mail", "reason", "undecodable")).isEqualTo(1);
        assertThat(counted(registry, "queuekit.queue.dead.lettered", "mail", "reason", "quarantined")).isZero();
        assertThat(gauge(registry, "queuekit.queue.dead", "mail")).isEqualTo(3);
        assertThat(gauge(registry, "queuekit.queue.ready", "mail")).isZero();
        assertThat(gauge(registry, "queuekit.queue.paused", "mail")).isZero();
      });
      // the handler saw a, b, retry-c twice, bad-d and never-e twice: 7 items, each one's wait
      // measured from its first push (the queue clock moved 5s before any was claimed)
      Timer latency = registry.get("queuekit.queue.latency").tag("queue", "mail").timer();
      assertThat(latency.count()).isEqualTo(7);
      assertThat(latency.max(TimeUnit.SECONDS)).isGreaterThanOrEqualTo(5);
      DistributionSummary sizes = registry.get("queuekit.queue.batch.size").tag("queue", "mail").summary();
      assertThat(sizes.totalAmount()).isEqualTo(7);
      Timer handler = registry.get("queuekit.queue.handler").tag("queue", "mail").timer();
      assertThat(handler.count()).isEqualTo(sizes.count()).isPositive();

      // pushes by result: a unique queue of LENGTH 1, paused before it claims (a watcher is told
      // of a new queue before it starts), so nothing leaves it
      m.watch(created -> {
        if (created.name().equals("once")) {
          created.pause();
        }
      });
      WorkerPoolQueue<String> once = m.create(QueueSpec.unique("once", String.class,
          batch -> List.of()).settings(settings.toBuilder().length(1).build()));
      assertThat(once.push("u")).isEqualTo(PushResult.ADDED);
      assertThat(once.offer("u")).isEqualTo(PushResult.DUPLICATE);
      assertThat(once.offer("v")).isEqualTo(PushResult.FULL);
      assertThatThrownBy(() -> once.push("w", Duration.ofMillis(50))).isInstanceOf(QueueFullException.class);
      assertThat(counted(registry, "queuekit.queue.pushed", "once", "result", "added")).isEqualTo(1);
      assertThat(counted(registry, "queuekit.queue.pushed", "once", "result", "duplicate")).isEqualTo(1);
      assertThat(counted(registry, "queuekit.queue.pushed", "once", "result", "full")).isEqualTo(2);

      q.close();
      assertThat(registry.find("queuekit.queue.ready").tag("queue", "mail").gauges())
          .as("a closed queue's meters are removed").isEmpty();
      assertThat(registry.find("queuekit.queue.pushed").tag("queue", "mail").counters())
          .as("its event meters too").isEmpty();
      assertThat(registry.find("queuekit.queue.latency").tag("queue", "mail").timers()).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"channel", "level"})
  void metersMoveAsItemsFlow(String type) {
    movesAsItemsFlow(QueueSettings.builder().type(type).retryDelay(Duration.ZERO).maxWorkers(2)
        .maxDeliveries(2).build());
  }

  @Test
  void metersMoveOnRedisToo() {
    try (RedisServer server = RedisServer.startPlain()) {
      movesAsItemsFlow(QueueSettings.builder().type("redis").connStr(server.connStr())
          .retryDelay(Duration.ZERO).maxWorkers(2).maxDeliveries(2).build());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"channel", "level"})
  void releasedCountsRetriesOnlyNotTheDeliveryThatIsDeadLettered(String type) {
    // MAX_DELIVERIES=3 and items never handled: each is released twice, then dead-lettered
    QueueSettings s = QueueSettings.builder().type(type).retryDelay(Duration.ZERO)
        .maxDeliveries(3).build();
    MeterRegistry registry = new SimpleMeterRegistry();
    try (QueueManager m = QueueManager.builder().dataPath(data).config(QueueConfig.of(s))
        .claimWait(Duration.ofMillis(200)).build()) {
      new QueuekitMetrics(m).bindTo(registry);
      WorkerPoolQueue<String> q = m.createSimple("jobs", String.class, batch -> List.copyOf(batch));
      for (int i = 0; i < 4; i++) {
        q.push("never-" + i);
      }
      assertThat(q.flush(Duration.ofSeconds(30))).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() ->
          counted(registry, "queuekit.queue.dead.lettered", "jobs", "reason", "max_deliveries") == 4);
      assertThat(counted(registry, "queuekit.queue.released", "jobs")).isEqualTo(8);
      assertThat(q.processCounts().unhandled()).as("QueueStats: deliveries that ended unhandled")
          .isEqualTo(12);
      assertThat(q.processCounts().deadLettered()).isEqualTo(4);
    }
  }

  /**
   * A store that takes longer than the snapshot's re-read window to fail (as a down PostgreSQL's
   * pool wait does) is still asked once per round of a queue's gauges, however their reads
   * interleave with another queue's. The queue is a stand-in whose stats() fails slowly (it moves
   * the snapshot's clock on by 250 ms): the manager's own one-second cache of failures would
   * otherwise answer in its place.
   */
  @Test
  void aSlowFailingStoreIsAskedOncePerRoundOfGauges() {
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
    WorkerPoolQueue<?> slow = (WorkerPoolQueue<?>) java.lang.reflect.Proxy.newProxyInstance(
        WorkerPoolQueue.class.getClassLoader(), new Class<?>[] {WorkerPoolQueue.class},
        (proxy, method, args) -> {
          if (!method.getName().equals("stats")) {
            throw new UnsupportedOperationException(method.getName());
          }
          calls.incrementAndGet();
          // slower than the 200 ms re-read window: the store's own pace, on the snapshot's clock
          clock.addAndGet(250_000_000L);
          throw new io.queuekit.QueueUnavailableException("queue \"slow\": store down");
        });
    QueuekitMetrics.Snapshot s = new QueuekitMetrics.Snapshot(slow, clock::get);
    int[] gauges = {s.newMeter(), s.newMeter(), s.newMeter(), s.newMeter()};
    for (int g : gauges) {
      assertThat(s.storeValue(g, st -> st.ready())).isNaN();
    }
    assertThat(calls.get()).as("store calls of one round of 4 gauges").isEqualTo(1);
    assertThat(s.reachable(s.newMeter())).isZero();
    assertThat(calls.get()).as("a gauge that has not read this snapshot shares it").isEqualTo(1);
  }

  @Test
  void aScrapeWhileTheStoreIsDownAsksEachQueuesStoreOnce() {
    // A crashed PostgreSQL: each stats() call waits out the pool's connection timeout (seconds)
    // before it fails. Two queues, so a scrape reads the other's gauges between two of this
    // one's (Prometheus reads the meters name by name).
    CountingBackends counting = new CountingBackends();
    try (PostgresServer pg = PostgresServer.start()) {
      QueueSettings s = QueueSettings.builder().type("postgres")
          .connStr(pg.connStr(pg.createDatabase())).shutdownTimeout(Duration.ofSeconds(1)).build();
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      try (QueueManager m = QueueManager.builder().dataPath(data).config(QueueConfig.of(s))
          .backends(counting.backends()).claimWait(Duration.ofMillis(200)).build()) {
        new QueuekitMetrics(m).bindTo(registry);
        List<WorkerPoolQueue<String>> queues = List.of(
            m.createSimple("mail", String.class, batch -> List.of()),
            m.createSimple("jobs", String.class, batch -> List.of()));
        for (WorkerPoolQueue<String> q : queues) {
          q.push("x");
          assertThat(q.flush(Duration.ofSeconds(30))).isTrue();
        }
        pg.crash();
        for (WorkerPoolQueue<String> q : queues) {
          await().atMost(Duration.ofSeconds(60)).until(() -> CountingBackends.storeDown(q));
        }
        int mailBefore = counting.statsCalls("mail");
        int jobsBefore = counting.statsCalls("jobs");

        String scrape = registry.scrape();

        assertThat(counting.statsCalls("mail") - mailBefore).as("store calls of mail's scrape")
            .isLessThanOrEqualTo(1);
        assertThat(counting.statsCalls("jobs") - jobsBefore).as("store calls of jobs' scrape")
            .isLessThanOrEqualTo(1);
        // the scrape still tells the outage, and this process's counters, which need no store
        assertThat(scrape)
            .contains("queuekit_queue_store_reachable{queue=\"mail\",type=\"postgres\"} 0")
            .contains("queuekit_queue_ready{queue=\"mail\",type=\"postgres\"} NaN")
            .contains("queuekit_queue_handled_total{queue=\"mail\",type=\"postgres\"} 1")
            .contains("queuekit_queue_handled_total{queue=\"jobs\",type=\"postgres\"} 1");
      }
    }
  }

  /**
   * Leaves "x" and "y" in flight in the level queue "jobs" as a crash does: a store closed with
   * items in flight recovers them at its next open.
   */
  private void crashWithTwoInFlight(QueueSettings s) {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      BaseQueue crashed = BaseQueues.load().create("level", new BaseQueueConfig("jobs", s, false,
          Clock.systemUTC(), scheduler, data));
      for (String x : List.of("\"x\"", "\"y\"")) {
        crashed.push(Item.of(x.getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));
      }
      assertThat(crashed.claim(10, Duration.ofSeconds(5))).hasSize(2);
      crashed.close();
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void theRecoveredCounterMovesAfterACrash() {
    // the pool delivers the recovered items again and counts each as recovered
    QueueSettings s = QueueSettings.builder().type("level").build();
    crashWithTwoInFlight(s);
    MeterRegistry registry = new SimpleMeterRegistry();
    try (QueueManager m = QueueManager.builder().dataPath(data).config(QueueConfig.of(s)).build()) {
      new QueuekitMetrics(m).bindTo(registry);
      WorkerPoolQueue<String> q = m.createSimple("jobs", String.class, batch -> List.of());
      assertThat(q.flush(Duration.ofSeconds(30))).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> counter(registry, "queuekit.queue.recovered", "jobs") == 2);
      assertThat(counter(registry, "queuekit.queue.handled", "jobs")).isEqualTo(2);
    }
  }

  @Test
  void quarantineAtOpenIsCountedForAQueueCreatedAfterBinding() {
    // MAX_RECOVERIES=1: the store dead-letters both items as poison while it opens, before the
    // queue has workers; the binder's listener must already be there to count them
    QueueSettings s = QueueSettings.builder().type("level").maxRecoveries(1).build();
    crashWithTwoInFlight(s);
    MeterRegistry registry = new SimpleMeterRegistry();
    try (QueueManager m = QueueManager.builder().dataPath(data).config(QueueConfig.of(s)).build()) {
      new QueuekitMetrics(m).bindTo(registry);
      m.createSimple("jobs", String.class, batch -> List.of());
      assertThat(counted(registry, "queuekit.queue.dead.lettered", "jobs", "reason", "quarantined")).isEqualTo(2);
      assertThat(counted(registry, "queuekit.queue.dead.lettered", "jobs", "reason", "undecodable")).isZero();
      await().atMost(Duration.ofSeconds(10)).until(() -> gauge(registry, "queuekit.queue.dead", "jobs") == 2);
      assertThat(counter(registry, "queuekit.queue.recovered", "jobs")).isZero();
    }
  }

  /**
   * A Redis consumer that dies holding "x" and "y" (its scheduler stopped: no more heartbeats);
   * the next queue's beats find its heartbeat lapsed after CONSUMER_TIMEOUT and recover them,
   * quarantining them when MAX_RECOVERIES=1.
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void aDeadRedisConsumersItemsMoveRecoveredOrQuarantined(int maxRecoveries) {
    try (RedisServer server = RedisServer.startPlain()) {
      QueueSettings s = QueueSettings.builder().type("redis").connStr(server.connStr())
          .consumerTimeout(Duration.ofSeconds(1)).maxRecoveries(maxRecoveries).build();
      ScheduledExecutorService dying = Executors.newSingleThreadScheduledExecutor();
      BaseQueue dead = BaseQueues.load().create("redis", new BaseQueueConfig("jobs", s, false,
          Clock.systemUTC(), dying, data));
      try {
        for (String x : List.of("\"x\"", "\"y\"")) {
          dead.push(Item.of(x.getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));
        }
        assertThat(dead.claim(10, Duration.ofSeconds(5))).hasSize(2);
        dying.shutdownNow(); // its heartbeats stop, as a killed process's would

        MeterRegistry registry = new SimpleMeterRegistry();
        try (QueueManager m = QueueManager.builder().dataPath(data).config(QueueConfig.of(s))
            .claimWait(Duration.ofMillis(200)).build()) {
          new QueuekitMetrics(m).bindTo(registry);
          m.createSimple("jobs", String.class, batch -> List.of());
          if (maxRecoveries == 1) {
            await().atMost(Duration.ofSeconds(30)).until(() ->
                counted(registry, "queuekit.queue.dead.lettered", "jobs", "reason", "quarantined") == 2);
            assertThat(counter(registry, "queuekit.queue.handled", "jobs")).isZero();
          } else {
            await().atMost(Duration.ofSeconds(30)).until(() ->
                counter(registry, "queuekit.queue.recovered", "jobs") == 2
                    && counter(registry, "queuekit.queue.handled", "jobs") == 2);
            assertThat(counted(registry, "queuekit.queue.dead.lettered", "jobs", "reason", "quarantined")).isZero();
          }
        }
      } finally {
        dead.close(); // reaped already: what it still held is stale, so this changes nothing
      }
    }
  }
}
