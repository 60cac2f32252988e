package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.PushResult;
import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueUnavailableException;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.conformance.redis.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis with {@code appendonly yes} and {@code appendfsync always} is killed with SIGKILL and
 * started again on the same port while items flow: the queue reconnects by itself and every item
 * the producer saw admitted is handled.
 */
class RestartTest {
  private static final int ITEMS = 3_000;

  @TempDir Path data;

  @Test
  void serverKilledAndRestartedWhileItemsFlowLosesNothing() throws Exception {
    try (RedisServer server = RedisServer.builder().appendOnly().build().start()) {
      QueueSettings s = QueueSettings.builder().type("redis").connStr(server.connStr())
          .consumerTimeout(Duration.ofSeconds(3)).batchLength(10).maxWorkers(2)
          .pushTimeout(Duration.ofSeconds(2)).build();
      Set<Integer> admitted = ConcurrentHashMap.newKeySet();
      Map<Integer, AtomicInteger> handled = new ConcurrentHashMap<>();
      AtomicInteger unavailable = new AtomicInteger();
      java.util.concurrent.atomic.AtomicReference<String> outage =
          new java.util.concurrent.atomic.AtomicReference<>();
      String name = Queues.uniqueName("restart");
      try (QueueManager m = QueueManager.builder().dataPath(data).config(QueueConfig.of(s))
          .claimWait(Duration.ofMillis(500)).build()) {
        WorkerPoolQueue<Integer> q = m.createUnique(name, Integer.class,
            batch -> {
              for (int i : batch) {
                handled.computeIfAbsent(i, k -> new AtomicInteger()).incrementAndGet();
              }
              return List.of();
            });
        Thread producer = new Thread(() -> {
          for (int i = 0; i < ITEMS; i++) {
            while (true) {
              try {
                PushResult r = q.push(i);
                if (r == PushResult.ADDED || r == PushResult.DUPLICATE) {
                  admitted.add(i);
                }
                break;
              } catch (QueueUnavailableException e) {
                // the push may or may not have happened: push again (at least once)
                unavailable.incrementAndGet();
                outage.compareAndSet(null, e.getMessage());
              }
            }
          }
        }, "producer");
        producer.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> handled.size() >= ITEMS / 3);
        server.kill();
        // while it is down, pushes fail with QueueUnavailableException after PUSH_TIMEOUT
        await().atMost(Duration.ofSeconds(60)).until(() -> unavailable.get() > 0);
        server.restart();
        producer.join(120_000);
        assertThat(producer.isAlive()).isFalse();
        await().atMost(Duration.ofSeconds(120)).until(() -> handled.keySet().containsAll(admitted));
        assertThat(admitted).hasSize(ITEMS);
        // the push that gave up named the queue and where Redis was expected
        assertThat(outage.get()).contains("queue \"" + name + "\"")
            .contains("127.0.0.1:" + server.port());
        assertThat(handled.keySet()).containsAll(admitted);
        assertThat(q.flush(Duration.ofSeconds(60))).isTrue();
      }
    }
  }
}
