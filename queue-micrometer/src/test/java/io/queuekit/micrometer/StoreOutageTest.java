package io.queuekit.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueUnavailableException;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.conformance.CapturedErr;
import io.queuekit.conformance.postgres.PostgresServer;
import io.queuekit.conformance.redis.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

  @Test
  void whileTheStoreIsDownStatsHealthAndTheAdminCallsShareOneFailingStoreCall() {
    CountingBackends counting = new CountingBackends();
    try (RedisServer redis = RedisServer.startPlain();
        QueueManager m = manager(redis, counting)) {
      WorkerPoolQueue<String> q = m.createSimple("mail", String.class, batch -> List.of());
      q.push("x");
      assertThat(q.flush(WAIT)).isTrue();
      redis.kill();
      await().atMost(WAIT).until(() -> CountingBackends.storeDown(q));
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

  /**
   * Whether a log record of {@code logger} is followed by a stack trace (slf4j-simple prints one
   * record per line, a trace in the lines after it, each starting with a tab or "Caused by").
   */
  private static boolean tracedBy(String log, String logger) {
    String[] lines = log.split("\n");
    for (int i = 0; i + 1 < lines.length; i++) {
      if (lines[i].contains(" " + logger + " - ") && !lines[i + 1].startsWith("[")) {
        return true;
      }
    }
    return false;
  }

  @Test
  void settleCallsFailingInAnOutageAreLoggedInOneLineWhenItStartsAndOneWhenItEnds()
      throws InterruptedException {
    // The redis backend rides out a claim outage itself (its own one-line log); the pool's
    // settle calls meet it: acks of items whose handlers return while the server is down.
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    CountingBackends counting = new CountingBackends();
    try (RedisServer redis = RedisServer.builder().appendOnly().build().start();
        QueueManager m = manager(redis, counting)) {
      WorkerPoolQueue<String> q = m.createSimple("mail", String.class, batch -> {
        started.incrementAndGet();
        if (!go.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never let the handler go");
        }
        return List.of();
      });
      for (int i = 0; i < 3; i++) {
        q.push("item" + i);
      }
      await().atMost(WAIT).until(() -> started.get() > 0); // items in flight, their acks to come
      String log;
      try (CapturedErr err = CapturedErr.start()) {
        redis.kill();
        go.countDown(); // the handlers return: their acks meet the dead server
        await().atMost(WAIT).until(() -> err.text().contains("the store failed settling"));
        assertThatThrownBy(() -> q.push("during")).isInstanceOf(QueueUnavailableException.class);
        redis.restart();
        await().atMost(WAIT).until(() -> err.text().contains("the store takes settle calls again"));
        assertThat(q.flush(WAIT)).isTrue();
        log = err.text();
      }
      assertThat(log).as("the outage's start, naming the queue once, with the store's reason")
          .containsOnlyOnce("queue \"mail\": the store failed settling")
          .contains("not logged): Redis at " + redis.connStr())
          .containsOnlyOnce("queue \"mail\": the store takes settle calls again");
      assertThat(log).as("no stack trace for an outage").doesNotContain("\tat ");
      assertThat(q.processCounts().handled()).isEqualTo(3);
    }
  }

  @Test
  void aClaimOutageIsLoggedInOneLineWhenItStartsAndOneWhenItEnds() {
    // A crashed PostgreSQL: the pool's claim loop meets the outage (the pool and the driver log
    // their own traces, which are theirs to keep: only the claim loop's lines are checked).
    CountingBackends counting = new CountingBackends();
    try (PostgresServer pg = PostgresServer.start()) {
      QueueSettings s = QueueSettings.builder().type("postgres")
          .connStr(pg.connStr(pg.createDatabase())).shutdownTimeout(Duration.ofSeconds(1)).build();
      try (QueueManager m = QueueManager.builder().dataPath(data).config(QueueConfig.of(s))
          .backends(counting.backends()).claimWait(Duration.ofMillis(200)).build()) {
        WorkerPoolQueue<String> q = m.createSimple("jobs", String.class, batch -> List.of());
        q.push("x");
        assertThat(q.flush(WAIT)).isTrue();
        String log;
        try (CapturedErr err = CapturedErr.start()) {
          pg.crash();
          await().atMost(Duration.ofSeconds(60)).until(() -> err.text().contains("claim failed"));
          pg.restart();
          await().atMost(Duration.ofSeconds(60))
              .until(() -> err.text().contains("store reachable again; claiming resumed"));
          log = err.text();
        }
        assertThat(log).as("the outage's start, naming the queue once, with the store's reason")
            .containsOnlyOnce("queue \"jobs\": claim failed; retrying with backoff until the "
                + "store answers: PostgreSQL at ")
            .containsOnlyOnce("queue \"jobs\": store reachable again; claiming resumed")
            .doesNotContain(PostgresServer.PASSWORD);
        assertThat(tracedBy(log, "io.queuekit.ClaimLoop")).as("a claim loop line with a stack trace:\n"
            + log).isFalse();
        q.push("y");
        assertThat(q.flush(WAIT)).isTrue();
      }
    }
  }
}
