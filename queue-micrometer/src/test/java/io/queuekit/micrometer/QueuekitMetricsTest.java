package io.queuekit.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.queuekit.PermanentFailure;
import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueSpec;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.conformance.redis.RedisServer;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueues;
import io.queuekit.spi.Item;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The meters of real queues move as items are pushed, handled, retried and dead-lettered. */
class QueuekitMetricsTest {
  @TempDir Path data;

  private static double gauge(MeterRegistry r, String name, String queue) {
    return r.get(name).tag("queue", queue).gauge().value();
  }

  private static double counter(MeterRegistry r, String name, String queue) {
    return r.get(name).tag("queue", queue).functionCounter().count();
  }

  /** Items "bad-*" die, "retry-*" fail once, the rest are handled. */
  private static WorkerPoolQueue<String> queue(QueueManager m, String name, Set<String> failedOnce) {
    return m.create(QueueSpec.simple(name, String.class, batch -> {
      List<Object> out = new ArrayList<>();
      for (String s : batch) {
        if (s.startsWith("bad-")) {
          out.add(new PermanentFailure(s, "bad"));
        } else if (s.startsWith("retry-") && failedOnce.add(s)) {
          out.add(s);
        }
      }
      return out;
    }));
  }

  private void movesAsItemsFlow(QueueSettings settings) {
    MeterRegistry registry = new SimpleMeterRegistry();
    Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    try (QueueManager m = QueueManager.builder().dataPath(data).config(QueueConfig.of(settings))
        .claimWait(Duration.ofMillis(200)).build()) {
      new QueuekitMetrics(m).bindTo(registry);
      WorkerPoolQueue<String> q = queue(m, "mail", failedOnce); // created after binding
      assertThat(registry.get("queuekit.queue.ready").tag("type", settings.type()).gauges()).hasSize(1);
      q.pause();
      for (String s : List.of("a", "b", "retry-c", "bad-d")) {
        q.push(s);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> gauge(registry, "queuekit.queue.ready", "mail") == 4);
      assertThat(gauge(registry, "queuekit.queue.paused", "mail")).isEqualTo(1);
      assertThat(gauge(registry, "queuekit.queue.oldest.waiting.age", "mail")).isGreaterThanOrEqualTo(0);
      assertThat(gauge(registry, "queuekit.queue.store.reachable", "mail")).isEqualTo(1);
      assertThat(gauge(registry, "queuekit.queue.workers.max", "mail")).isEqualTo(settings.maxWorkers());
      q.resume();
      assertThat(q.flush(Duration.ofSeconds(30))).isTrue();
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(counter(registry, "queuekit.queue.handled", "mail")).isEqualTo(3);
        assertThat(counter(registry, "queuekit.queue.released", "mail")).isEqualTo(1);
        assertThat(counter(registry, "queuekit.queue.dead.lettered", "mail")).isEqualTo(1);
        assertThat(gauge(registry, "queuekit.queue.dead", "mail")).isEqualTo(1);
        assertThat(gauge(registry, "queuekit.queue.ready", "mail")).isZero();
        assertThat(gauge(registry, "queuekit.queue.paused", "mail")).isZero();
      });
      q.close();
      assertThat(registry.find("queuekit.queue.ready").tag("queue", "mail").gauges())
          .as("a closed queue's meters are removed").isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"channel", "level"})
  void metersMoveAsItemsFlow(String type) {
    movesAsItemsFlow(QueueSettings.builder().type(type).retryDelay(Duration.ZERO).maxWorkers(2).build());
  }

  @Test
  void metersMoveOnRedisToo() {
    try (RedisServer server = RedisServer.startPlain()) {
      movesAsItemsFlow(QueueSettings.builder().type("redis").connStr(server.connStr())
          .retryDelay(Duration.ZERO).maxWorkers(2).build());
    }
  }

  @Test
  void theRecoveredCounterMovesAfterACrash() {
    // a store closed with items in flight counts as a crash for them (LevelDB recovers them at
    // the next open): the pool then delivers them again and counts each as recovered
    QueueSettings s = QueueSettings.builder().type("level").build();
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
    MeterRegistry registry = new SimpleMeterRegistry();
    try (QueueManager m = QueueManager.builder().dataPath(data).config(QueueConfig.of(s)).build()) {
      new QueuekitMetrics(m).bindTo(registry);
      WorkerPoolQueue<String> q = m.createSimple("jobs", String.class, batch -> List.of());
      assertThat(q.flush(Duration.ofSeconds(30))).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> counter(registry, "queuekit.queue.recovered", "jobs") == 2);
      assertThat(counter(registry, "queuekit.queue.handled", "jobs")).isEqualTo(2);
    }
  }
}
