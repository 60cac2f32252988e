package io.queuekit.level;

import static io.queuekit.level.Fixture.item;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.PushResult;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code SYNC=true}: every write batch is synced, and group commit lets concurrent or batched
 * producers share one sync (counted, not timed).
 */
class LevelSyncTest {
  private static final Duration LONG = Duration.ofSeconds(60);

  @RegisterExtension final Fixture f = new Fixture();

  @Test
  void concurrentProducersShareSyncedBatches() throws Exception {
    int producers = 8;
    int each = 1_000;
    LevelQueue q = f.openLevel("synced", false, b -> b.sync(true).length(100_000));
    ExecutorService ex = Executors.newFixedThreadPool(producers);
    try {
      long roundsBefore = q.db().syncedRounds();
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> fs = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        int producer = p;
        fs.add(ex.submit(() -> {
          go.await();
          for (int i = 0; i < each; i++) {
            assertThat(q.push(item(producer + ":" + i), LONG)).isEqualTo(PushResult.ADDED);
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> fu : fs) {
        fu.get(120, TimeUnit.SECONDS);
      }
      long synced = q.db().syncedRounds() - roundsBefore;
      assertThat(synced).as("every push was written by a synced batch").isPositive();
      assertThat(synced).as("group commit: fewer syncs than pushes").isLessThan(producers * each);
      assertThat(q.len()).isEqualTo(producers * each);
    } finally {
      ex.shutdownNow();
      q.close();
    }
    try (BaseQueue again = f.open("synced", false, b -> b.sync(true).length(100_000))) {
      assertThat(again.len()).isEqualTo(producers * each);
    }
  }

  @Test
  void aBatchedPushIsOneSyncedWritePerChunk() {
    try (LevelQueue q = f.openLevel("batched", false, b -> b.sync(true).length(100_000))) {
      List<Item> items = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        items.add(item("b" + i));
      }
      long before = q.db().syncedRounds();
      assertThat(q.pushAll(items, LONG)).hasSize(1_000).containsOnly(PushResult.ADDED);
      assertThat(q.db().syncedRounds() - before).isBetween(1L, 2L); // 512 items per chunk
      List<Delivery> ds = q.claim(1_000, Duration.ZERO);
      long beforeAck = q.db().syncedRounds();
      q.ack(ds);
      assertThat(q.db().syncedRounds() - beforeAck).isEqualTo(1);
    }
  }

  @Test
  void anUnsyncedQueueNeverSyncs() {
    try (LevelQueue q = f.openLevel("unsynced", false, b -> b.sync(false))) {
      long before = q.db().rounds();
      q.push(item("x"), LONG);
      q.ack(q.claim(1, Duration.ZERO));
      assertThat(q.db().rounds() - before).isEqualTo(3);
      assertThat(q.db().syncedRounds()).isZero();
    }
  }
}
