package io.queuekit.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.queuekit.Codec;
import io.queuekit.ItemEvent;
import io.queuekit.JacksonCodec;
import io.queuekit.PermanentFailure;
import io.queuekit.PushResult;
import io.queuekit.QueueClosedException;
import io.queuekit.QueueConfig;
import io.queuekit.QueueListener;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueSpec;
import io.queuekit.QueueStats;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueues;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The worker-pool suite every storing backend passes: Gitea's {@code workerqueue_test.go}
 * scenarios, rewritten to wait on states and an injected clock instead of sleeping, plus the
 * delivery rules of docs/DESIGN.md §4 (handler failures, {@code PermanentFailure}, {@code MAX_DELIVERIES},
 * undecodable items, backoff, flush, pause, max workers, shutdown, handler timeout, listeners).
 *
 * <p>A backend module extends it in a few lines, returning its {@link TestBackend}.
 *
 * <p>On backends that store nothing ({@code dummy}, {@code immediate}) only the tests marked
 * {@link EveryBackend} run; the others are skipped by assumption.
 *
 * <p>After each test, every queue still open must add up: its stats' ready + delayed equal its
 * {@code len()}, and once nothing waits, nothing is paused and no handler runs, nothing stays in
 * flight ({@link #checkInvariants}). Each test has {@value #TIMEOUT_SECONDS} s, so a hang fails
 * the test that hangs instead of the CI job.
 */
@Timeout(value = WorkerPoolConformanceTest.TIMEOUT_SECONDS, unit = java.util.concurrent.TimeUnit.SECONDS)
public abstract class WorkerPoolConformanceTest {
  /** A test's time limit: far above what any test takes, far below the CI job's. */
  static final long TIMEOUT_SECONDS = 120;
  private static final AtomicInteger SEQ = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir protected Path dataPath;
  protected MutableClock clock;
  private ScheduledExecutorService scheduler;
  private TestBackend backend;
  private final List<QueueManager> managers = new ArrayList<>();

  /** The backend under test. Called once per test. */
  protected abstract TestBackend backend();

  @BeforeEach
  void setUpPool(org.junit.jupiter.api.TestInfo info) {
    backend = backend();
    clock = MutableClock.atEpoch2026();
    scheduler = Executors.newSingleThreadScheduledExecutor();
    assumeTrue(backend.capabilities().stores()
        || info.getTestMethod().map(m -> m.isAnnotationPresent(EveryBackend.class)).orElse(false),
        () -> "needs a backend that stores items; " + backend.type() + " does not");
  }

  /** How often a handler sees a pushed item: once, or never on a backend that handles nothing. */
  private int once() {
    return backend.capabilities().handles() ? 1 : 0;
  }

  @AfterEach
  void tearDownPool() {
    try {
      checkInvariants();
    } finally {
      for (QueueManager m : managers) {
        m.close();
      }
      scheduler.shutdownNow();
      backend.close();
    }
  }

  /**
   * The counts of every queue still open add up: ready + delayed is {@code len()}; a queue with
   * nothing waiting, not paused and no handler running settles everything it claimed.
   */
  private void checkInvariants() {
    for (QueueManager m : managers) {
      for (WorkerPoolQueue<?> q : m.queues()) {
        try {
          QueueStats stats = q.stats();
          if (stats.paused() || stats.active() > 0) {
            continue; // a test may end with a handler held on purpose
          }
          await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
              .untilAsserted(() -> {
            QueueStats now = q.stats();
            assertThat(now.ready() + now.delayed()).as("%s: ready + delayed = len()", q.name())
                .isEqualTo(q.len());
            if (now.ready() + now.delayed() == 0 && now.active() == 0) {
              assertThat(now.inFlight()).as("%s: in flight with nothing waiting", q.name())
                  .isZero();
            }
          });
        } catch (QueueClosedException closed) {
          // shut down by the test: nothing to count
        }
      }
    }
  }


  /** A name no other test uses, even on a shared server. */
  protected static String uniqueName(String prefix) {
    return prefix + "_" + ProcessHandle.current().pid() + "_" + SEQ.incrementAndGet();
  }

  /** Settings for a test: the suite's defaults, {@code adjust}ed, then the backend's additions. */
  protected QueueSettings settings(UnaryOperator<QueueSettings.Builder> adjust) {
    QueueSettings.Builder b = QueueSettings.builder().type(backend.type())
        .length(100).batchDebounce(Duration.ofMillis(20)).shutdownTimeout(Duration.ofSeconds(5))
        .workerIdleTimeout(Duration.ofSeconds(30));
    return backend.configure(adjust.apply(b)).build();
  }

  protected QueueManager manager() {
    QueueManager m = QueueManager.builder().dataPath(dataPath).clock(clock).scheduler(scheduler)
        .claimWait(Duration.ofMillis(100)).config(QueueConfig.of(settings(b -> b))).build();
    managers.add(m);
    return m;
  }

  /** Opens the store of a queue directly, for checks below the worker pool. */
  protected BaseQueue openBase(String name, QueueSettings settings, boolean unique) {
    return BaseQueues.load().create(settings.type(),
        new BaseQueueConfig(name, settings, unique, clock, scheduler, dataPath));
  }

  /** Counts how often each item was seen by a handler. */
  protected static final class Seen {
    final Map<Integer, AtomicInteger> counts = new ConcurrentHashMap<>();

    void add(int i) {
      counts.computeIfAbsent(i, k -> new AtomicInteger()).incrementAndGet();
    }

    int of(int i) {
      AtomicInteger c = counts.get(i);
      return c == null ? 0 : c.get();
    }

    int total() {
      return counts.values().stream().mapToInt(AtomicInteger::get).sum();
    }
  }

  @ParameterizedTest(name = "batch {0} × workers {1}")
  @CsvSource({"1,1", "3,1", "4,5"})
  void unhandledItemsAreHandledExactlyTwice(int batch, int workers) {
    // Gitea's TestWorkerPoolQueueUnhandled: even items fail the first time, RETRY_DELAY 0.
    Seen seen = new Seen();
    QueueSettings s = settings(b -> b.batchLength(batch).maxWorkers(workers).retryDelay(Duration.ZERO));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.unique(uniqueName("unhandled"),
        Integer.class, items -> {
          List<Integer> unhandled = new ArrayList<>();
          for (int i : items) {
            seen.add(i);
            if (i % 2 == 0 && seen.of(i) == 1) {
              unhandled.add(i);
            }
          }
          return unhandled;
        }).settings(s));
    for (int i = 0; i < 100; i++) {
      assertThat(q.push(i)).isEqualTo(PushResult.ADDED);
    }
    assertThat(q.flush(WAIT)).isTrue();
    for (int i = 0; i < 100; i++) {
      assertThat(seen.of(i)).as("item %d", i).isEqualTo(i % 2 == 0 ? 2 : 1);
    }
    QueueStats stats = q.stats();
    assertThat(stats.handled()).isEqualTo(100);
    assertThat(stats.unhandled()).isEqualTo(50);
  }

  @Test
  void activeWorkersGrowToTheCapAndIdleOnesExitExceptTheLast() {
    CountDownLatch release = new CountDownLatch(1);
    QueueSettings s = settings(b -> b.batchLength(1).maxWorkers(3)
        .workerIdleTimeout(Duration.ofMillis(200)));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("active"),
        Integer.class, items -> {
          release.await();
          return List.of();
        }).settings(s));
    for (int i = 0; i < 15; i++) {
      q.push(i);
    }
    await().atMost(WAIT).until(() -> q.workers() == 3 && q.activeWorkers() == 3);
    release.countDown();
    assertThat(q.flush(WAIT)).isTrue();
    await().atMost(WAIT).until(() -> q.activeWorkers() == 0 && q.workers() == 1);
    assertThat(q.workers()).as("the last worker never exits").isEqualTo(1);
  }

  @Test
  void aBatchNeverExceedsBatchLength() {
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    Seen seen = new Seen();
    QueueSettings s = settings(b -> b.batchLength(4).maxWorkers(3));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("batchlen"),
        Integer.class, items -> {
          sizes.add(items.size());
          items.forEach(seen::add);
          return List.of();
        }).settings(s));
    q.pause(); // 23 items waiting at once: every claim could take more than BATCH_LENGTH
    for (int i = 0; i < 23; i++) {
      q.push(i);
    }
    q.resume();
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(sizes).as("batch sizes").allSatisfy(n -> assertThat(n).isBetween(1, 4))
        .contains(4);
    assertThat(seen.total()).isEqualTo(23);
    for (int i = 0; i < 23; i++) {
      assertThat(seen.of(i)).as("item %d", i).isEqualTo(1);
    }
  }

  @Test
  void aPartialBatchWaitsForBatchDebounceAndAFullOneDoesNot() {
    // BATCH_DEBOUNCE of an hour: three claimed items wait for two more, and the five go out as
    // one batch the moment the fifth is claimed, without a flush.
    List<List<Integer>> batches = new CopyOnWriteArrayList<>();
    QueueSettings s = settings(b -> b.batchLength(5).batchDebounce(Duration.ofHours(1)));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("debounce"),
        Integer.class, items -> {
          batches.add(List.copyOf(items));
          return List.of();
        }).settings(s));
    q.pause();
    for (int i = 0; i < 3; i++) {
      q.push(i);
    }
    q.resume();
    await().atMost(WAIT).until(() -> q.stats().inFlight() == 3);
    assertThat(batches).as("a partial batch waits for BATCH_DEBOUNCE").isEmpty();
    q.push(3);
    q.push(4);
    await().atMost(WAIT).until(() -> !batches.isEmpty());
    assertThat(batches.get(0)).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void aPartialBatchGoesOutAfterBatchDebounceWithoutAFlush() {
    List<List<Integer>> batches = new CopyOnWriteArrayList<>();
    QueueSettings s = settings(b -> b.batchLength(10).batchDebounce(Duration.ofMillis(50)));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("partial"),
        Integer.class, items -> {
          batches.add(List.copyOf(items));
          return List.of();
        }).settings(s));
    q.pause(); // the three are claimed together
    for (int i = 0; i < 3; i++) {
      q.push(i);
    }
    q.resume();
    await().atMost(WAIT).until(() -> !batches.isEmpty());
    assertThat(batches.get(0)).as("one partial batch, BATCH_LENGTH never reached")
        .containsExactly(0, 1, 2);
  }

  @Test
  void busyWorkersAreNotRetiredWhileWorkRemains() {
    // Gitea's TestWorkerPoolQueueWorkerIdleReset (#29532): a worker's idle time starts when it
    // finishes a batch, so handlers longer than WORKER_IDLE_TIMEOUT must not get their workers
    // retired while batches keep coming; only worker-1 and worker-2 should ever run the handler.
    java.util.Set<String> threads = ConcurrentHashMap.newKeySet();
    QueueSettings s = settings(b -> b.batchLength(1).maxWorkers(2)
        .workerIdleTimeout(Duration.ofMillis(200)));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("idlereset"),
        Integer.class, items -> {
          threads.add(Thread.currentThread().getName());
          // the handler's own work, longer than the idle timeout; no outcome waits on this
          new CountDownLatch(1).await(300, java.util.concurrent.TimeUnit.MILLISECONDS);
          return List.of();
        }).settings(s));
    q.pause();
    for (int i = 0; i < 8; i++) {
      q.push(i);
    }
    q.resume();
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(threads).hasSize(2).allMatch(n -> n.endsWith("-worker-1") || n.endsWith("-worker-2"));
  }

  @Test
  void oneWorkerCapIsNeverExceeded() {
    AtomicInteger concurrent = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    QueueSettings s = settings(b -> b.batchLength(1).maxWorkers(1));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("onecap"),
        Integer.class, items -> {
          most.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
          concurrent.decrementAndGet();
          return List.of();
        }).settings(s));
    for (int i = 0; i < 20; i++) {
      q.push(i);
    }
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(most.get()).isEqualTo(1);
    assertThat(q.workers()).isEqualTo(1);
  }

  @Test
  void setMaxWorkersTakesEffectAtRunTime() {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger concurrent = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    QueueSettings s = settings(b -> b.batchLength(1).maxWorkers(1));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("maxworkers"),
        Integer.class, items -> {
          most.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
          try {
            release.await();
          } finally {
            concurrent.decrementAndGet();
          }
          return List.of();
        }).settings(s));
    for (int i = 0; i < 10; i++) {
      q.push(i);
    }
    await().atMost(WAIT).until(() -> q.activeWorkers() == 1);
    assertThat(most.get()).isEqualTo(1);
    q.setMaxWorkers(3);
    assertThat(q.maxWorkers()).isEqualTo(3);
    await().atMost(WAIT).until(() -> q.activeWorkers() == 3);
    release.countDown();
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(most.get()).isEqualTo(3);
  }

  @EveryBackend
  @Test
  void nullIsRefusedAtTheCallAndNothingIsStored() {
    Seen seen = new Seen();
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("nulls"),
        Integer.class, items -> {
          items.forEach(seen::add);
          return List.of();
        }).settings(settings(b -> b)));
    q.pause();
    assertThatThrownBy(() -> q.push(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining(q.name());
    assertThatThrownBy(() -> q.offer(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> q.pushDelayed(null, Duration.ofSeconds(1)))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> q.pushAll(java.util.Arrays.asList(1, null, 3), WAIT))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("item 1 of 3");
    assertThat(q.len()).as("nothing stored, not even the batch-mates of a null").isZero();
    q.resume();
    q.push(4);
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen.total()).isEqualTo(once());
    assertThat(q.stats().dead()).isZero();
  }

  @Test
  void aThrowingHandlerLosesNothing() {
    Seen seen = new Seen();
    QueueSettings s = settings(b -> b.batchLength(5).maxWorkers(2).retryDelay(Duration.ZERO));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("throwing"),
        Integer.class, items -> {
          boolean firstTime = false;
          for (int i : items) {
            seen.add(i);
            firstTime |= seen.of(i) == 1;
          }
          if (firstTime) {
            throw new IllegalStateException("search backend down");
          }
          return List.of();
        }).settings(s));
    for (int i = 0; i < 30; i++) {
      q.push(i);
    }
    assertThat(q.flush(WAIT)).isTrue();
    for (int i = 0; i < 30; i++) {
      assertThat(seen.of(i)).as("item %d", i).isGreaterThanOrEqualTo(2);
    }
    assertThat(q.stats().handled()).isEqualTo(30);
  }

  @Test
  void aHandlerStackOverflowLeavesNothingInFlight() {
    // A StackOverflowError is a VirtualMachineError: the worker may let it propagate, but its
    // batch must still be settled (as not handled), never left in flight.
    Seen seen = new Seen();
    QueueSettings s = settings(b -> b.batchLength(1).maxWorkers(1).retryDelay(Duration.ZERO));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("overflow"),
        Integer.class, items -> {
          int i = items.get(0);
          seen.add(i);
          if (i == 1 && seen.of(1) == 1) {
            throw new StackOverflowError("a handler recursing too deep");
          }
          return List.of();
        }).settings(s));
    q.push(1);
    q.push(2);
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen.of(1)).isEqualTo(2);
    assertThat(seen.of(2)).isEqualTo(1);
    assertThat(q.stats().unhandled()).isEqualTo(1);
    assertThat(q.stats().handled()).isEqualTo(2);
  }

  @Test
  void permanentFailureReturnedOrThrownDeadLettersAtOnce() {
    Seen seen = new Seen();
    QueueSettings s = settings(b -> b.batchLength(1).maxWorkers(1).retryDelay(Duration.ZERO));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("permanent"),
        Integer.class, items -> {
          int i = items.get(0);
          seen.add(i);
          if (i == 3) {
            return List.of(new PermanentFailure(items.get(0), "three is malformed"));
          }
          if (i == 7) {
            throw new PermanentFailure(items.get(0), "seven is forbidden");
          }
          return List.of();
        }).settings(s));
    for (int i = 0; i < 10; i++) {
      q.push(i);
    }
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen.of(3)).isEqualTo(1);
    assertThat(seen.of(7)).isEqualTo(1);
    var dead = q.deadLetters(0, 10);
    assertThat(dead).hasSize(2);
    assertThat(dead).extracting(e -> e.item().orElseThrow()).containsExactlyInAnyOrder(3, 7);
    assertThat(dead).extracting(e -> e.reason())
        .containsExactlyInAnyOrder("three is malformed", "seven is forbidden");
    assertThat(q.stats().deadLettered()).isEqualTo(2);
    assertThat(q.stats().handled()).isEqualTo(8);
  }

  @Test
  void maxDeliveriesBoundsWhatTheHandlerSees() {
    Seen seen = new Seen();
    QueueSettings s = settings(b -> b.batchLength(1).maxDeliveries(3).retryDelay(Duration.ZERO));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("maxdeliveries"),
        Integer.class, items -> {
          seen.add(items.get(0));
          return items;
        }).settings(s));
    q.push(42);
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen.of(42)).isEqualTo(3);
    var dead = q.deadLetters(0, 10);
    assertThat(dead).singleElement().satisfies(e -> {
      assertThat(e.item()).contains(42);
      assertThat(e.reason()).contains("MAX_DELIVERIES=3");
      assertThat(e.deliveryCount()).isEqualTo(2);
    });
  }

  @Test
  void undecodableItemIsDeadLetteredWithTheDecodersMessage() {
    Codec<Integer> json = JacksonCodec.of(Integer.class);
    Codec<Integer> picky = new Codec<>() {
      @Override
      public byte[] encode(Integer item) {
        return json.encode(item);
      }

      @Override
      public Integer decode(byte[] bytes) throws Exception {
        if (new String(bytes, StandardCharsets.UTF_8).equals("13")) {
          throw new IllegalArgumentException("13 no longer decodes after the schema change");
        }
        return json.decode(bytes);
      }
    };
    Seen seen = new Seen();
    QueueSettings s = settings(b -> b.batchLength(4));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("undecodable"),
        Integer.class, items -> {
          items.forEach(seen::add);
          return List.of();
        }).codec(picky).settings(s));
    for (int i = 10; i < 16; i++) {
      q.push(i);
    }
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen.of(13)).isZero();
    assertThat(seen.total()).isEqualTo(5);
    assertThat(q.deadLetters(0, 10)).singleElement().satisfies(e -> {
      assertThat(e.json()).isEqualTo("13");
      assertThat(e.item()).isEmpty();
      assertThat(e.reason()).contains("13 no longer decodes after the schema change");
    });
  }

  @Test
  void anItemDecodingToNullIsDeadLetteredAndSparesItsBatchMates() {
    // JSON "null" (another producer's payload; push(null) itself is refused) decodes to null,
    // which no handler batch (an immutable List) can hold: it must not fail its batch-mates.
    // A codec that writes -1 as "null" stands in for that producer.
    Seen seen = new Seen();
    QueueSettings s = settings(b -> b.batchLength(3).maxWorkers(1).retryDelay(Duration.ZERO));
    io.queuekit.Codec<Integer> json = io.queuekit.Codec.json(Integer.class);
    io.queuekit.Codec<Integer> nullForMinusOne = new io.queuekit.Codec<>() {
      @Override
      public byte[] encode(Integer item) {
        return item == -1 ? "null".getBytes(java.nio.charset.StandardCharsets.UTF_8) : json.encode(item);
      }

      @Override
      public Integer decode(byte[] bytes) throws Exception {
        return json.decode(bytes);
      }
    };
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("decodesnull"),
        Integer.class, items -> {
          items.forEach(seen::add);
          return List.of();
        }).codec(nullForMinusOne).settings(s));
    q.pause(); // one claim, one batch
    q.push(1);
    q.push(-1);
    q.push(2);
    q.resume();
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen.of(1)).isEqualTo(1);
    assertThat(seen.of(2)).isEqualTo(1);
    assertThat(q.deadLetters(0, 10)).singleElement().satisfies(e -> {
      assertThat(e.json()).isEqualTo("null");
      assertThat(e.reason()).contains("null");
    });
  }

  @Test
  void backoffFollowsTheFormulaOnTheInjectedClock() {
    List<ItemEvent<Integer>> retries = new CopyOnWriteArrayList<>();
    Seen seen = new Seen();
    QueueSettings s = settings(b -> b.batchLength(1).retryDelay(Duration.ofSeconds(10))
        .retryDelayMax(Duration.ofSeconds(30)).maxDeliveries(5));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("backoff"),
        Integer.class, items -> {
          seen.add(items.get(0));
          return items;
        }).settings(s).listener(new QueueListener<Integer>() {
          @Override
          public void onRetry(ItemEvent<Integer> e) {
            retries.add(e);
          }
        }));
    q.push(1);
    // 10s, 20s, then capped at 30s: each × [0.8, 1.2], never above the cap.
    long[][] bounds = {{8, 12}, {16, 24}, {24, 30}, {24, 30}};
    for (int k = 0; k < bounds.length; k++) {
      int expected = k + 1;
      await().atMost(WAIT).until(() -> retries.size() == expected);
      ItemEvent<Integer> e = retries.get(k);
      assertThat(e.deliveryCount()).isEqualTo(k + 1);
      assertThat(e.delay()).isBetween(Duration.ofSeconds(bounds[k][0]), Duration.ofSeconds(bounds[k][1]));
      await().atMost(WAIT).until(() -> q.stats().delayed() == 1);
      assertThat(seen.of(1)).as("not redelivered before its due time").isEqualTo(k + 1);
      clock.advance(e.delay());
      await().atMost(WAIT).until(() -> seen.of(1) == expected + 1);
    }
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(q.deadLetters(0, 10)).hasSize(1);
  }

  @Test
  void flushReturnsFalseAtTheTimeoutWithItemsIntact() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Seen seen = new Seen();
    QueueSettings s = settings(b -> b.batchLength(1).maxWorkers(1));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("flushfalse"),
        Integer.class, items -> {
          release.await();
          items.forEach(seen::add);
          return List.of();
        }).settings(s));
    for (int i = 0; i < 3; i++) {
      q.push(i);
    }
    assertThat(q.flush(Duration.ofMillis(200))).isFalse();
    QueueStats st = q.stats();
    assertThat(st.ready() + st.inFlight()).isEqualTo(3);
    release.countDown();
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen.total()).isEqualTo(3);
  }

  @EveryBackend
  @Test
  void flushTakesAnUnboundedTimeout() {
    Seen seen = new Seen();
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("flushforever"),
        Integer.class, items -> {
          items.forEach(seen::add);
          return List.of();
        }).settings(settings(b -> b)));
    q.push(1);
    assertThat(q.flush(java.time.temporal.ChronoUnit.FOREVER.getDuration())).isTrue();
    assertThat(seen.of(1)).isEqualTo(once());
  }

  @EveryBackend
  @Test
  void unboundedHandlerAndShutdownTimeoutsWork() {
    // "No limit" written as java.time's FOREVER: beyond Long nanoseconds, so it must saturate.
    Duration forever = java.time.temporal.ChronoUnit.FOREVER.getDuration();
    Seen seen = new Seen();
    QueueSettings s = settings(b -> b.handlerTimeout(forever).shutdownTimeout(forever));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("forever"),
        Integer.class, items -> {
          items.forEach(seen::add);
          return List.of();
        }).settings(s));
    q.push(1);
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen.of(1)).isEqualTo(once());
    q.shutdown();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> q.push(2))
        .isInstanceOf(QueueClosedException.class);
  }

  @Test
  void flushWaitsForDelayedItemsWithoutPromotingThem() {
    Seen seen = new Seen();
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("flushdelayed"),
        Integer.class, items -> {
          items.forEach(seen::add);
          return List.of();
        }).settings(settings(b -> b)));
    q.pushDelayed(5, Duration.ofMinutes(1));
    assertThat(q.flush(Duration.ofMillis(300))).isFalse();
    assertThat(seen.of(5)).isZero();
    assertThat(q.stats().delayed()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(1));
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen.of(5)).isEqualTo(1);
  }

  @Test
  void pauseStopsClaimingAndResumeRestartsIt() {
    Seen seen = new Seen();
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("pause"),
        Integer.class, items -> {
          items.forEach(seen::add);
          return List.of();
        }).settings(settings(b -> b)));
    q.pause();
    assertThat(q.paused()).isTrue();
    for (int i = 0; i < 5; i++) {
      q.push(i);
    }
    assertThat(q.flush(Duration.ofMillis(300))).isFalse();
    assertThat(seen.total()).isZero();
    assertThat(q.len()).isEqualTo(5);
    q.resume();
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen.total()).isEqualTo(5);
  }

  @Test
  void shutdownInterruptsAStuckHandlerAndGivesItsItemsBackUncounted() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    List<ItemEvent<Integer>> stale = new CopyOnWriteArrayList<>();
    String name = uniqueName("stuck");
    QueueSettings s = settings(b -> b.batchLength(2).maxWorkers(1)
        .shutdownTimeout(Duration.ofMillis(100)));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(name, Integer.class, items -> {
      started.countDown();
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        interrupted.countDown();
        throw e;
      }
      return List.of();
    }).settings(s).listener(new QueueListener<Integer>() {
      @Override
      public void onStale(ItemEvent<Integer> e) {
        stale.add(e);
      }
    }));
    q.push(1);
    q.push(2);
    assertThat(started.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    q.shutdown();
    assertThat(interrupted.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    await().atMost(WAIT).until(() -> stale.size() == 2);
    assertThat(q.stats().stale()).isEqualTo(2);
    assertThat(q.stats().unhandled()).isZero();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> q.push(3))
        .isInstanceOf(QueueClosedException.class);
    if (backend.capabilities().persistent()) {
      try (BaseQueue base = openBase(name, s, false)) {
        List<Delivery> back = base.claim(10, Duration.ofSeconds(5));
        assertThat(back).extracting(d -> new String(d.payload(), StandardCharsets.UTF_8))
            .containsExactly("1", "2");
        assertThat(back).allSatisfy(d -> {
          assertThat(d.deliveryCount()).isZero();
          assertThat(d.recoveryCount()).isZero();
        });
      }
    }
  }

  @Test
  void aHandlerMayShutItsOwnQueueDown() throws Exception {
    // Shutdown waits SHUTDOWN_TIMEOUT for the workers, but not for the one calling it: that one
    // cannot exit before shutdown returns, and must not be interrupted by it either.
    CountDownLatch returned = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<WorkerPoolQueue<Integer>> self =
        new java.util.concurrent.atomic.AtomicReference<>();
    QueueSettings s = settings(b -> b.batchLength(1).maxWorkers(1)
        .shutdownTimeout(Duration.ofSeconds(10)));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("selfshutdown"),
        Integer.class, items -> {
          self.get().shutdown();
          interrupted.set(Thread.interrupted());
          returned.countDown();
          return List.of();
        }).settings(s));
    self.set(q);
    q.push(1);
    assertThat(returned.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(interrupted).as("shutdown interrupted its own caller").isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> q.push(2))
        .isInstanceOf(QueueClosedException.class);
  }

  @Test
  void shutdownLeavesEveryItemStored() throws Exception {
    assumeTrue(backend.capabilities().persistent(), "needs a persistent backend");
    // Gitea's TestWorkerPoolQueueShutdown: slow handlers returning everything unhandled.
    CountDownLatch first = new CountDownLatch(1);
    String name = uniqueName("shutdown");
    QueueSettings s = settings(b -> b.batchLength(3).maxWorkers(4).length(20)
        .retryDelay(Duration.ofMillis(100)).shutdownTimeout(Duration.ofMillis(200)));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(name, Integer.class, items -> {
      first.countDown();
      // the slow handler under test (Gitea sleeps 400 ms); shutdown interrupts it
      new CountDownLatch(1).await(400, java.util.concurrent.TimeUnit.MILLISECONDS);
      return items;
    }).settings(s));
    for (int i = 0; i < 20; i++) {
      q.push(i);
    }
    assertThat(first.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    await().atMost(WAIT).until(() -> q.activeWorkers() == 4);
    q.shutdown();
    assertThat(q.activeWorkers()).isBetween(0, 4);
    try (BaseQueue base = openBase(name, s, false)) {
      assertThat(base.stats().waiting()).isEqualTo(20);
    }
  }

  @Test
  void handlerTimeoutInterruptsAndReleasesTheBatch() throws InterruptedException {
    AtomicInteger calls = new AtomicInteger();
    CountDownLatch interrupted = new CountDownLatch(1);
    List<ItemEvent<Integer>> handled = new CopyOnWriteArrayList<>();
    List<ItemEvent<Integer>> retried = new CopyOnWriteArrayList<>();
    QueueSettings s = settings(b -> b.batchLength(1).retryDelay(Duration.ZERO)
        .handlerTimeout(Duration.ofMillis(200)));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("htimeout"),
        Integer.class, items -> {
          if (calls.incrementAndGet() == 1) {
            try {
              new CountDownLatch(1).await();
            } catch (InterruptedException e) {
              interrupted.countDown();
              throw e;
            }
          }
          return List.of();
        }).settings(s).listener(new QueueListener<Integer>() {
          @Override
          public void onHandled(ItemEvent<Integer> e) {
            handled.add(e);
          }

          @Override
          public void onRetry(ItemEvent<Integer> e) {
            retried.add(e);
          }
        }));
    q.push(9);
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(retried).as("the timeout's release is told like any other, with its item")
        .singleElement().satisfies(e -> assertThat(e.item()).contains(9));
    // the timeout releases the batch, then interrupts its runner: the redelivery may be handled
    // (and flush return) before the interrupted handler has run its catch block
    assertThat(interrupted.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(calls.get()).isEqualTo(2);
    assertThat(handled).singleElement().satisfies(e -> assertThat(e.deliveryCount()).isEqualTo(1));
  }

  @Test
  void handlerTimeoutNeverInterruptsTheWorkersNextBatch() throws Exception {
    // The HANDLER_TIMEOUT task settles a batch and then interrupts its runner. If the handler
    // returns while the task is settling, the worker moves on: the interrupt must not hit the next
    // handler the worker runs. Here the task is held in its onRetry listener until that next
    // handler has started.
    CountDownLatch timeoutFired = new CountDownLatch(1);
    CountDownLatch secondStarted = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean firstCall = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicBoolean secondInterrupted = new java.util.concurrent.atomic.AtomicBoolean();
    AtomicInteger retries = new AtomicInteger();
    QueueSettings s = settings(b -> b.batchLength(1).maxWorkers(1).retryDelay(Duration.ZERO)
        .handlerTimeout(Duration.ofMillis(500)));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("htleak"),
        Integer.class, items -> {
          int i = items.get(0);
          if (i == 1 && firstCall.getAndSet(false)) {
            // outlives HANDLER_TIMEOUT, then returns normally while the timeout task settles
            timeoutFired.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
          } else if (i == 2) {
            secondStarted.countDown();
            try {
              proceed.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              secondInterrupted.set(true);
            }
          }
          return List.of();
        }).settings(s).listener(new QueueListener<Integer>() {
          @Override
          public void onRetry(ItemEvent<Integer> e) {
            if (retries.incrementAndGet() == 1) { // item 1's timeout (the task's events carry no item)
              timeoutFired.countDown();
              try {
                secondStarted.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
              } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
              }
            }
          }
        }));
    q.push(1);
    q.push(2);
    assertThat(secondStarted.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    scheduler.submit(() -> { }).get(); // the single scheduler thread has finished the timeout task
    proceed.countDown();
    assertThat(q.flush(WAIT)).isTrue();
    if (retries.get() == 1) { // a second timeout (item 2's own) would be a fair interrupt
      assertThat(secondInterrupted).as("item 2's handler was interrupted by item 1's timeout").isFalse();
    }
  }

  @Test
  void listenersSeeEveryEvent() {
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    QueueSettings s = settings(b -> b.batchLength(1).maxWorkers(1).retryDelay(Duration.ZERO)
        .maxDeliveries(2));
    AtomicInteger calls = new AtomicInteger();
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("listeners"),
        Integer.class, items -> {
          calls.incrementAndGet();
          int i = items.get(0);
          return i == 1 ? List.of() : items;
        }).settings(s).listener(new QueueListener<Integer>() {
          @Override
          public void onHandled(ItemEvent<Integer> e) {
            events.add("handled " + e.item().orElseThrow());
          }

          @Override
          public void onRetry(ItemEvent<Integer> e) {
            events.add("retry " + e.item().orElseThrow() + " #" + e.deliveryCount());
          }

          @Override
          public void onDeadLettered(ItemEvent<Integer> e) {
            events.add("dead " + e.item().orElseThrow());
          }
        }));
    q.push(1);
    q.push(2);
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(events).containsExactlyInAnyOrder("handled 1", "retry 2 #1", "dead 2");
    assertThat(events.indexOf("retry 2 #1")).isLessThan(events.indexOf("dead 2"));
  }

  @Test
  void aListenerThrowingAnErrorStrandsNothing() {
    // An Error (here an AssertionError, as a listener's own check would throw) from onRetry must
    // not stop the settlement of the rest of the batch.
    AtomicInteger retryCalls = new AtomicInteger();
    Seen seen = new Seen();
    QueueSettings s = settings(b -> b.batchLength(2).maxWorkers(1).retryDelay(Duration.ZERO));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("listenererror"),
        Integer.class, items -> {
          List<Integer> unhandled = new ArrayList<>();
          for (int i : items) {
            seen.add(i);
            if (seen.of(i) == 1) {
              unhandled.add(i);
            }
          }
          return unhandled;
        }).settings(s).listener(new QueueListener<Integer>() {
          @Override
          public void onRetry(ItemEvent<Integer> e) {
            if (retryCalls.incrementAndGet() == 1) {
              throw new AssertionError("a listener bug");
            }
          }
        }));
    q.pause(); // both items in one claim, so in one batch
    q.push(1);
    q.push(2);
    q.resume();
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen.of(1)).isEqualTo(2);
    assertThat(seen.of(2)).isEqualTo(2);
    assertThat(q.stats().handled()).isEqualTo(2);
  }

  @Test
  void recoveredItemsAreHandledAloneOneAtATime() throws Exception {
    assumeTrue(backend.capabilities().persistent(), "needs a persistent backend");
    String name = uniqueName("recovered");
    QueueSettings s = settings(b -> b.batchLength(5).maxWorkers(3));
    BaseQueue base = openBase(name, s, false);
    for (int i = 0; i < 5; i++) {
      base.push(Item.of(Integer.toString(i).getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));
    }
    assertThat(base.claim(3, Duration.ofSeconds(5))).hasSize(3);
    backend.kill(base);

    List<List<Integer>> batches = new CopyOnWriteArrayList<>();
    AtomicInteger concurrentRecovered = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    List<ItemEvent<Integer>> recovered = new CopyOnWriteArrayList<>();
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(name, Integer.class, items -> {
      boolean isRecovered = items.get(0) < 3;
      if (isRecovered) {
        most.accumulateAndGet(concurrentRecovered.incrementAndGet(), Math::max);
      }
      try {
        batches.add(List.copyOf(items));
      } finally {
        if (isRecovered) {
          concurrentRecovered.decrementAndGet();
        }
      }
      return List.of();
    }).settings(s).listener(new QueueListener<Integer>() {
      @Override
      public void onRecovered(ItemEvent<Integer> e) {
        recovered.add(e);
      }
    }));
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(batches.stream().flatMap(List::stream)).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
    assertThat(batches.stream().filter(b -> b.stream().anyMatch(i -> i < 3)))
        .allSatisfy(b -> assertThat(b).hasSize(1));
    assertThat(most.get()).isEqualTo(1);
    assertThat(recovered).hasSize(3).allSatisfy(e -> assertThat(e.recoveryCount()).isEqualTo(1));
    assertThat(recovered).as("each event carries its decoded item")
        .extracting(e -> e.item().orElse(null)).containsExactlyInAnyOrder(0, 1, 2);
  }

  @Test
  void managerAdministersQueuesByName() {
    QueueManager m = manager();
    String name = uniqueName("admin");
    AtomicInteger fives = new AtomicInteger();
    m.create(QueueSpec.simple(name, Integer.class, items -> {
      List<Object> failed = new ArrayList<>();
      for (int i : items) {
        if (i == 5 && fives.incrementAndGet() == 1) {
          failed.add(new PermanentFailure(i, "five is cursed the first time"));
        }
      }
      return failed;
    }).settings(settings(b -> b.batchLength(1))));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> m.createSimple(name, Integer.class, items -> List.of()))
        .isInstanceOf(io.queuekit.QueueConfigException.class)
        .hasMessageContaining(name).hasMessageContaining("already exists");
    @SuppressWarnings("unchecked")
    WorkerPoolQueue<Integer> q = (WorkerPoolQueue<Integer>) m.queue(name).orElseThrow();

    m.setMaxWorkers(name, 4);
    assertThat(q.maxWorkers()).isEqualTo(4);
    for (int i = 0; i < 8; i++) {
      q.push(i);
    }
    assertThat(m.flushAll(WAIT)).isTrue();
    var dead = m.deadLetters(name, 0, 10);
    assertThat(dead).singleElement().satisfies(e -> assertThat(e.reason()).contains("cursed"));
    assertThat(m.replayDead(name, List.of(dead.get(0).id()))).isEqualTo(1);
    assertThat(m.flushAll(WAIT)).isTrue();
    assertThat(m.deadLetters(name, 0, 10)).isEmpty();
    assertThat(fives.get()).isEqualTo(2);
    assertThat(m.health(Duration.ofMinutes(1)).healthy()).isTrue();

    m.pause(name);
    q.push(100);
    clock.advance(Duration.ofMinutes(2));
    await().atMost(WAIT).until(() -> !m.health(Duration.ofMinutes(1)).healthy());
    assertThat(m.health(Duration.ofMinutes(1)).queues()).singleElement()
        .satisfies(h -> assertThat(h.problem().orElseThrow()).contains("oldest waiting item")
            .contains("paused"));
    assertThat(m.removeAll(name)).isEqualTo(1);
    m.resume(name);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.pause("no_such_queue"))
        .hasMessageContaining("no_such_queue").hasMessageContaining(name);
  }
}
