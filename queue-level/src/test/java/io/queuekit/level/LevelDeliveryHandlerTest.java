package io.queuekit.level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.Delivered;
import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueSpec;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.conformance.MutableClock;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueues;
import io.queuekit.spi.Item;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link io.queuekit.DeliveryHandler} on a real LevelDB queue, through the public API only: what
 * each delivery tells its handler after a crash and across retries.
 */
class LevelDeliveryHandlerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path tmp;
  private final MutableClock clock = MutableClock.atEpoch2026();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void tearDown() {
    scheduler.shutdownNow();
  }

  private static QueueSettings settings() {
    return QueueSettings.builder().type("level").length(10).batchLength(1)
        .batchDebounce(Duration.ofMillis(20)).retryDelay(Duration.ZERO)
        .shutdownTimeout(Duration.ofSeconds(5)).build();
  }

  @Test
  void afterACrashTheRecoveryCountIsToldAndRetriesKeepFirstPushWithNewIdsAndGrowingCounts() {
    Instant pushedAt = clock.instant();
    long crashedId;
    try (BaseQueue base = BaseQueues.load().create("level",
        new BaseQueueConfig("hooks", settings(), false, clock, scheduler, tmp))) {
      base.push(Item.of("\"hook-1\"".getBytes(StandardCharsets.UTF_8)), WAIT);
      crashedId = base.claim(1, Duration.ZERO).get(0).id();
    } // closed with the item in flight, never settled: what a crash leaves

    List<Delivered<String>> seen = new CopyOnWriteArrayList<>();
    try (QueueManager m = QueueManager.builder().dataPath(tmp).clock(clock).scheduler(scheduler)
        .claimWait(Duration.ofMillis(100)).config(QueueConfig.of(settings())).build()) {
      WorkerPoolQueue<String> q = m.create(QueueSpec.simpleDelivered("hooks", String.class,
          batch -> {
            seen.addAll(batch);
            clock.advance(Duration.ofMinutes(1)); // a re-stamped first push would show it
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
