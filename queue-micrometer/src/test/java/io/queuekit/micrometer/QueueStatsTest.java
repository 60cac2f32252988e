package io.queuekit.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueStats;
import io.queuekit.WorkerPoolQueue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What {@code WorkerPoolQueue.stats()} shows right after this process moved the figures. */
class QueueStatsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir Path data;

  @ParameterizedTest
  @ValueSource(strings = {"channel", "level"})
  void statsRightAfterAFlushShowTheQueueDrained(String type) throws InterruptedException {
    CountDownLatch go = new CountDownLatch(1);
    QueueSettings s = QueueSettings.builder().type(type).batchLength(1).maxWorkers(2).build();
    try (QueueManager m = QueueManager.builder().dataPath(data).config(QueueConfig.of(s))
        .claimWait(Duration.ofMillis(200)).build()) {
      WorkerPoolQueue<String> q = m.createSimple("jobs", String.class, batch -> {
        if (!go.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never let the handler go");
        }
        return List.of();
      });
      for (int i = 0; i < 5; i++) {
        q.push("item" + i);
      }
      // stats() now holds figures with items in flight (the handlers wait)
      await().atMost(WAIT).until(() -> q.stats().inFlight() > 0);
      go.countDown();
      assertThat(q.flush(WAIT)).isTrue();

      QueueStats after = q.stats();
      assertThat(after.inFlight()).as("in flight").isZero();
      assertThat(after.ready()).as("ready").isZero();
      assertThat(after.delayed()).as("delayed").isZero();
      assertThat(after.handled()).isEqualTo(5);
    }
  }
}
