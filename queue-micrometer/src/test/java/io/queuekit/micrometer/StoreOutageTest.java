package io.queuekit.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueUnavailableException;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.conformance.redis.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a queue costs and says while its store is down: a real redis-server killed under it, the
 * store's calls counted by a forwarding backend ({@link CountingBackends}), never timed.
 */
class StoreOutageTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir Path data;

  private QueueManager manager(RedisServer redis, CountingBackends counting) {
    return QueueManager.builder().dataPath(data).backends(counting.backends())
        .claimWait(Duration.ofMillis(200))
        .config(QueueConfig.of(QueueSettings.builder().type("redis").connStr(redis.connStr())
            .shutdownTimeout(Duration.ofSeconds(1)).build()))
        .build();
  }

  /** Whether the queue's stats() fails now, its store not answering. */
  private static boolean storeDown(WorkerPoolQueue<?> q) {
    try {
      q.stats();
      return false;
    } catch (QueueUnavailableException e) {
      return true;
    }
  }

  @Test
  void whileTheStoreIsDownStatsHealthAndTheAdminCallsShareOneFailingStoreCall() {
    CountingBackends counting = new CountingBackends();
    try (RedisServer redis = RedisServer.startPlain();
        QueueManager m = manager(redis, counting)) {
      WorkerPoolQueue<String> q = m.createSimple("mail", String.class, batch -> List.of());
      q.push("x");
      assertThat(q.flush(WAIT)).isTrue();
      redis.kill();
      await().atMost(WAIT).until(() -> storeDown(q));
      int before = counting.statsCalls("mail");

      // what a health probe, the admin API and a metrics scrape ask, one after another
      for (int i = 0; i < 5; i++) {
        assertThatThrownBy(q::stats).isInstanceOf(QueueUnavailableException.class)
            .hasMessageStartingWith("queue \"mail\": ");
      }
      assertThatThrownBy(() -> m.stats("mail")).isInstanceOf(QueueUnavailableException.class);
      assertThat(m.health(Duration.ofMinutes(1)).healthy()).isFalse();

      // the failure is remembered as figures are (about a second): one store call at most
      assertThat(counting.statsCalls("mail") - before).isLessThanOrEqualTo(1);
      // and this process's counts need no store
      assertThat(q.processCounts().handled()).isEqualTo(1);
    }
  }
}
