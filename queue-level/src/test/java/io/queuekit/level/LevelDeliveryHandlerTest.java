package io.queuekit.level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.Delivered;
import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueSpec;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.spi.BaseQueue;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A {@link io.queuekit.DeliveryHandler} on a real LevelDB queue, through the public API only: what
 * each delivery tells its handler after a crash and across retries.
 */
class LevelDeliveryHandlerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension final Fixture f = new Fixture();

  /** The fixture's settings, for a worker pool: one item a batch, retried at once. */
  private static QueueSettings.Builder pool(QueueSettings.Builder b) {
    return b.type("level").batchLength(1).batchDebounce(Duration.ofMillis(20))
        .retryDelay(Duration.ZERO).shutdownTimeout(Duration.ofSeconds(5));
  }

  @Test
  void afterACrashTheRecoveryCountIsToldAndRetriesKeepFirstPushWithNewIdsAndGrowingCounts() {
    Instant pushedAt = f.clock.instant();
    long crashedId;
    try (BaseQueue base = f.open("hooks", false, LevelDeliveryHandlerTest::pool)) {
      base.push(Fixture.item("\"hook-1\""), WAIT);
      crashedId = base.claim(1, Duration.ZERO).get(0).id();
    } // closed with the item in flight, never settled: what a crash leaves

    List<Delivered<String>> seen = new CopyOnWriteArrayList<>();
    try (QueueManager m = QueueManager.builder().dataPath(f.dataPath).clock(f.clock)
        .scheduler(f.scheduler).claimWait(Duration.ofMillis(100))
        .config(QueueConfig.of(pool(Fixture.settings()).build())).build()) {
      WorkerPoolQueue<String> q = m.create(QueueSpec.simpleDelivered("hooks", String.class,
          batch -> {
            seen.addAll(batch);
            f.clock.advance(Duration.ofMinutes(1)); // a re-stamped first push would show it
            return batch.get(0).deliveryCount() < 2 ? batch : List.of();
          }));
      await().atMost(WAIT).until(() -> q.stats().handled() == 1);
    }
    assertThat(seen).extracting(Delivered::item).containsOnly("hook-1");
    assertThat(seen).extracting(Delivered::deliveryCount).containsExactly(0, 1, 2);
    // recovered once, by the open after the crash; a retry is no recovery, the count stays
    assertThat(seen).extracting(Delivered::recoveryCount).containsExactly(1, 1, 1);
    assertThat(seen).extracting(Delivered::firstPushed).containsOnly(pushedAt);
    assertThat(seen).extracting(Delivered::deliveryId).doesNotHaveDuplicates()
        .doesNotContain(crashedId);
  }
}
