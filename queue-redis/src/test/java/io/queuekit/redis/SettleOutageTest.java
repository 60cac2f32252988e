package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.conformance.redis.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acks of a handled batch fail because Redis is down; they must be retried until they land
 * (or the deliveries are fenced), not dropped: a dropped ack leaves the items in flight, and the
 * consumer's next sweep hands them back to be handled a second time.
 */
class SettleOutageTest {
  @TempDir Path data;

  @Test
  void acksThatFailDuringAnOutageAreRetriedAndNothingIsHandledTwice() throws Exception {
    try (RedisServer server = RedisServer.builder().appendOnly().build().start()) {
      QueueSettings s = QueueSettings.builder().type("redis").connStr(server.connStr())
          .consumerTimeout(Duration.ofSeconds(30)).batchLength(5).maxWorkers(1)
          .retryDelay(Duration.ZERO).build();
      Map<Integer, AtomicInteger> handled = new ConcurrentHashMap<>();
      CountDownLatch inHandler = new CountDownLatch(1);
      CountDownLatch serverDown = new CountDownLatch(1);
      try (QueueManager m = QueueManager.builder().dataPath(data).config(QueueConfig.of(s))
          .claimWait(Duration.ofMillis(500)).build()) {
        WorkerPoolQueue<Integer> q = m.createSimple(Queues.uniqueName("settleoutage"),
            Integer.class, batch -> {
              inHandler.countDown();
              if (!serverDown.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never took Redis down");
              }
              batch.forEach(i -> handled.computeIfAbsent(i, k -> new AtomicInteger()).incrementAndGet());
              return List.of();
            });
        q.pause();
        for (int i = 0; i < 5; i++) {
          q.push(i);
        }
        q.resume();
        assertThat(inHandler.await(60, TimeUnit.SECONDS)).isTrue();
        server.kill();
        serverDown.countDown(); // the handler returns now: its acks meet a dead server
        await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() == 5);
        server.restart();
        // flush reports an unreachable store rather than an empty queue: wait for the reconnect
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
            .until(() -> q.flush(Duration.ofSeconds(10)));
        assertThat(handled).hasSize(5);
        assertThat(handled.values()).as("each item handled once: no ack was dropped")
            .allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        assertThat(q.stats().inFlight()).isZero();
      }
    }
  }
}
