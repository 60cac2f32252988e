package io.queuekit.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.PermanentFailure;
import io.queuekit.QueueConfig;
import io.queuekit.QueueHealth;
import io.queuekit.QueueHealth.Status;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.conformance.MutableClock;
import io.queuekit.conformance.redis.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code QueueManager.health} over a real Redis that is killed and restarted: the overall status
 * with its reasons, since when a store has been down, dead letters growing within the window, and
 * the oldest waiting item against its limit. The clock is moved by hand, so nothing is timed.
 */
class QueueHealthTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration MAX_AGE = Duration.ofMinutes(1);
  @TempDir Path data;

  private static QueueHealth.Queue only(QueueHealth h) {
    assertThat(h.queues()).hasSize(1);
    return h.queues().get(0);
  }

  @Test
  void healthTellsStatusReasonsOutageStartDeadLetterGrowthAndWaitingAge() {
    MutableClock clock = new MutableClock(Instant.now());
    try (RedisServer redis = RedisServer.startPlain();
        QueueManager m = QueueManager.builder().dataPath(data).clock(clock)
            .claimWait(Duration.ofMillis(100)).deadLetterGrowthWindow(Duration.ofSeconds(10))
            .config(QueueConfig.of(QueueSettings.builder().type("redis").connStr(redis.connStr())
                .retryDelay(Duration.ZERO).build()))
            .build()) {
      WorkerPoolQueue<String> q = m.createSimple("jobs", String.class, batch -> {
        List<Object> out = new ArrayList<>();
        for (String s : batch) {
          if (s.startsWith("bad-")) {
            out.add(new PermanentFailure(s, "bad"));
          }
        }
        return out;
      });
      QueueHealth h = m.health(MAX_AGE);
      assertThat(h.status()).isEqualTo(Status.UP);
      assertThat(h.healthy()).isTrue();
      assertThat(h.reasons()).isEmpty();

      // dead letters growing: DEGRADED, still healthy, for the window after the last growth
      q.push("bad-1");
      assertThat(q.flush(WAIT)).isTrue();
      await().atMost(WAIT).until(() -> m.health(MAX_AGE).status() == Status.DEGRADED);
      h = m.health(MAX_AGE);
      assertThat(h.healthy()).isTrue();
      assertThat(only(h).warnings()).singleElement().asString().contains("dead letters growing: 0 → 1");
      assertThat(h.reasons()).singleElement().asString().startsWith("queue \"jobs\": dead letters growing");
      clock.advance(Duration.ofSeconds(11));
      assertThat(m.health(MAX_AGE).status()).as("the window has passed").isEqualTo(Status.UP);

      // the store down: DOWN, with since when, kept across checks
      redis.kill();
      await().atMost(WAIT).until(() -> !m.health(MAX_AGE).healthy());
      h = m.health(MAX_AGE);
      assertThat(h.status()).isEqualTo(Status.DOWN);
      assertThat(only(h).reachable()).isFalse();
      Instant since = only(h).unreachableSince().orElseThrow();
      assertThat(h.reasons()).singleElement().asString().startsWith("queue \"jobs\": store unreachable")
          .contains("since " + since)
          .contains("Redis at " + redis.connStr())
          .satisfies(r -> assertThat(r.split("queue \"jobs\"", -1)).as("the queue named once: " + r)
              .hasSize(2));
      clock.advance(Duration.ofMinutes(1));
      assertThat(only(m.health(MAX_AGE)).unreachableSince()).as("since the first check that saw it")
          .contains(since);

      redis.restart();
      await().atMost(WAIT).until(() -> m.health(MAX_AGE).healthy());
      assertThat(only(m.health(MAX_AGE)).unreachableSince()).isEmpty();

      // an item waiting longer than the limit: DOWN, saying the queue is paused
      q.pause();
      q.push("late");
      clock.advance(MAX_AGE.plusSeconds(1));
      await().atMost(WAIT).until(() -> m.health(MAX_AGE).status() == Status.DOWN);
      assertThat(m.health(MAX_AGE).reasons()).singleElement().asString()
          .contains("oldest waiting item is").contains("the queue is paused");
    }
  }
}
