package io.queuekit.conformance.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueSpec;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.conformance.TestBackend;
import io.queuekit.spi.DeadLetter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What survives a process that dies: real child JVMs killed with SIGKILL (docs/DESIGN.md §7), a poison item
 * that halts its process (docs/DESIGN.md §4.3), and Gitea's persistence scenario (a queue stopped part-way
 * and reopened). A persistent backend module extends it in a few lines, returning its {@link
 * TestBackend}; the suite skips itself for in-memory backends.
 *
 * <p>Kills: 3 by default, 20 with {@code -Dqueuekit.full=true} ({@code -Pfull}). Each test has
 * {@value #TIMEOUT_SECONDS} s.
 */
@org.junit.jupiter.api.Timeout(value = CrashConformanceTest.TIMEOUT_SECONDS,
    unit = TimeUnit.SECONDS)
public abstract class CrashConformanceTest {
  /** A test's time limit (child JVMs start slowly on a loaded machine). */
  static final long TIMEOUT_SECONDS = 600;
  private static final boolean FULL = Boolean.getBoolean("queuekit.full");

  @TempDir protected Path dataPath;
  private TestBackend backend;

  /** The backend under test. Called once per test. */
  protected abstract TestBackend backend();

  @BeforeEach
  void setUpCrash() {
    backend = backend();
    assumeTrue(backend.capabilities().persistent(), "needs a persistent backend");
  }

  @AfterEach
  void tearDownCrash() {
    if (backend != null) {
      backend.close();
    }
  }

  /** The suite's settings, {@code adjust}ed, then the backend's additions. */
  protected QueueSettings settings(UnaryOperator<QueueSettings.Builder> adjust) {
    QueueSettings.Builder b = QueueSettings.builder().type(backend.type()).length(100_000)
        .batchDebounce(Duration.ofMillis(10)).retryDelay(Duration.ZERO)
        .shutdownTimeout(Duration.ofSeconds(5)).workerIdleTimeout(Duration.ofSeconds(30));
    return backend.configure(adjust.apply(b)).build();
  }

  @Test
  void killedWorkersLoseNothingAndDuplicateBoundedly() {
    int items = FULL ? 3_000 : 1_200;
    int kills = FULL ? 20 : 3;
    int batch = 20;
    int workers = 3;
    // Recoveries never quarantine here: every id must be handled, however often it was in flight.
    QueueSettings s = settings(b -> b.batchLength(batch).maxWorkers(workers).maxRecoveries(0));
    long seed = System.nanoTime();
    CrashHarness h = new CrashHarness(dataPath, "crash", s, false, seed);
    h.pushIds(items);
    List<Integer> progress = h.killRepeatedly(kills, items / (kills + 1));
    assertThat(h.runUntilFlushed(-1, 0)).isZero();

    Map<Integer, Integer> counts = h.handledCounts();
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < items; i++) {
      if (!counts.containsKey(i)) {
        missing.add(i);
      }
    }
    int handled = counts.values().stream().mapToInt(Integer::intValue).sum();
    int duplicates = handled - counts.size();
    String context = "seed " + seed + ", handled per killed child " + progress;
    assertThat(missing).as("ids never handled (%s)", context).isEmpty();
    assertThat(counts.keySet()).as(context).allSatisfy(id -> assertThat(id).isBetween(0, items - 1));
    assertThat(duplicates).as("duplicates ≤ kills × BATCH_LENGTH × (MAX_WORKERS + 1) (%s)",
        context).isLessThanOrEqualTo(kills * batch * (workers + 1));
    assertThat(h.waiting()).as("nothing left in the store").isZero();
  }

  @Test
  void aPoisonItemIsQuarantinedAfterMaxRecoveriesAndItsBatchMatesAreHandled() throws Exception {
    int items = 60;
    int poison = 7;
    int maxRecoveries = 3;
    QueueSettings s = settings(b -> b.batchLength(5).maxWorkers(2).maxRecoveries(maxRecoveries));
    CrashHarness h = new CrashHarness(dataPath, "poison", s, false, 1);
    h.pushIds(items);
    int deaths = h.runUntilFlushed(poison, maxRecoveries + 2);

    assertThat(deaths).as("the poison item halts each process it is handled in, until "
        + "MAX_RECOVERIES crashes quarantine it").isEqualTo(maxRecoveries);
    Map<Integer, Integer> counts = h.handledCounts();
    for (int i = 0; i < items; i++) {
      if (i != poison) {
        assertThat(counts).as("id %d (batch-mates of the poison item included)", i)
            .containsKey(i);
      }
    }
    assertThat(counts).doesNotContainKey(poison);
    List<DeadLetter> dead = h.deadLetters();
    assertThat(dead).hasSize(1);
    assertThat(CrashHarness.idOf(dead.get(0))).isEqualTo(poison);
    assertThat(dead.get(0).recoveryCount()).isEqualTo(maxRecoveries);
    assertThat(dead.get(0).reason()).contains("poison");
  }

  /**
   * #10 item 3: a crash while recovered items run quarantines only items that reached a handler.
   * The first kill lands while ordinary batches run (each item in flight gets recovery count 1);
   * every later kill lands while the first batch of the new child runs, a recovered item. With
   * {@code MAX_RECOVERIES} 2, an item recovered again is quarantined: before the store handed
   * out one recovered item per claim, a claim of a whole recovered batch counted a second
   * recovery for batch-mates that never ran, and they were dead-lettered as suspected poison.
   * Kills: 2 by default (each costs a CONSUMER_TIMEOUT on Redis and PostgreSQL), 8 with {@code
   * -Pfull}.
   */
  @Test
  void killsWhileRecoveredItemsRunQuarantineNoItemThatNeverReachedAHandler() throws Exception {
    // BATCH_LENGTH × (MAX_WORKERS + 1) = 12: the first child claims every item, so every later
    // child starts with recovered items, which run alone, one after the other
    int items = 12;
    int kills = FULL ? 8 : 2;
    int maxRecoveries = 2;
    QueueSettings s = settings(b -> b.batchLength(4).maxWorkers(2).maxRecoveries(maxRecoveries));
    long seed = System.nanoTime();
    // 100 ms of work per batch: each kill (polled every 2 ms) lands while the batch that made it runs
    CrashHarness h = new CrashHarness(dataPath, "recoveredkill", s, false, seed,
        Duration.ofMillis(100));
    h.pushIds(items);
    List<List<Integer>> startedPerChild = h.killWhenAHandlerStarts(kills);
    assertThat(h.runUntilFlushed(-1, 0)).isZero();

    java.util.Set<Integer> reached = h.startedIds();
    List<Integer> dead = new ArrayList<>();
    for (DeadLetter d : h.deadLetters()) {
      dead.add(CrashHarness.idOf(d));
      assertThat(d.recoveryCount()).as("id %d", CrashHarness.idOf(d))
          .isGreaterThanOrEqualTo(maxRecoveries);
    }
    String context = "batches started by each killed child " + startedPerChild;
    assertThat(dead).as("quarantined ids that never reached a handler (%s)", context)
        .allSatisfy(id -> assertThat(reached).contains(id));
    assertThat(dead.size()).as("at most one quarantine per kill after the first (%s)", context)
        .isLessThanOrEqualTo(kills - 1);
    Map<Integer, Integer> counts = h.handledCounts();
    for (int i = 0; i < items; i++) {
      assertThat(counts.containsKey(i) || dead.contains(i))
          .as("id %d handled or quarantined (%s)", i, context).isTrue();
    }
    assertThat(h.waiting()).as("nothing left in the store").isZero();
  }

  @ParameterizedTest(name = "batch {0} × workers {1}")
  @CsvSource({"1,1", "3,1", "4,5"})
  void aQueueStoppedPartWayAndReopenedHandlesEveryItemOnce(int batch, int workers)
      throws Exception {
    // Gitea's TestWorkerPoolQueuePersistence: the first queue stops itself when it sees item 20;
    // a second queue on the same store flushes the rest; nothing is lost or handled twice.
    int items = 100;
    QueueSettings s = settings(b -> b.batchLength(batch).maxWorkers(workers).length(items)
        .shutdownTimeout(Duration.ofMillis(200)));
    String name = "persist_" + batch + "_" + workers;
    AtomicInteger first = new AtomicInteger();
    CountDownLatch allPushed = new CountDownLatch(1);
    CountDownLatch sawTwenty = new CountDownLatch(1);
    AtomicBoolean tooEarly = new AtomicBoolean();
    try (QueueManager m = manager(s)) {
      WorkerPoolQueue<Integer> q = m.create(QueueSpec.unique(name, Integer.class, b -> {
        if (!allPushed.await(60, TimeUnit.SECONDS)) {
          tooEarly.set(true);
        }
        if (sawTwenty.getCount() == 0) {
          // stopping: hold the batch until shutdown interrupts it and gives its items back, so
          // the first queue cannot race through every item before the test thread stops it
          new CountDownLatch(1).await();
        }
        first.addAndGet(b.size());
        if (b.contains(20)) {
          sawTwenty.countDown();
        }
        return List.of();
      }));
      for (int i = 0; i < items; i++) {
        q.push(i);
      }
      allPushed.countDown();
      assertThat(sawTwenty.await(60, TimeUnit.SECONDS)).isTrue();
      q.shutdown();
    }
    assertThat(tooEarly).isFalse();
    AtomicInteger second = new AtomicInteger();
    try (QueueManager m = manager(s)) {
      WorkerPoolQueue<Integer> q = m.create(QueueSpec.unique(name, Integer.class, b -> {
        second.addAndGet(b.size());
        return List.of();
      }));
      assertThat(q.flush(Duration.ofSeconds(60))).isTrue();
    }
    assertThat(first.get()).isPositive();
    assertThat(second.get()).isPositive();
    assertThat(first.get() + second.get()).isEqualTo(items);
  }

  private QueueManager manager(QueueSettings s) {
    return QueueManager.builder().dataPath(dataPath).config(QueueConfig.of(s))
        .claimWait(Duration.ofMillis(100)).build();
  }
}
