package io.queuekit.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.PushResult;
import io.queuekit.QueueSettings;
import io.queuekit.QueueSpec;
import io.queuekit.QueueStats;
import io.queuekit.WorkerPoolQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Worker-pool tests of batches and workers: {@code BATCH_LENGTH} and {@code BATCH_DEBOUNCE} (in
 * real time and on the injected clock), workers growing to {@code MAX_WORKERS}, the cap changed at
 * run time, and idle workers exiting after {@code WORKER_IDLE_TIMEOUT} (again on either clock).
 * The {@code BATCH_LENGTH} test and the two on the injected clock run on every backend: on those
 * that store nothing they check what the capabilities promise instead (nothing batched, waiting or
 * run by a worker). Run by {@link WorkerPoolConformanceTest}.
 */
public interface WorkerPoolBatchingSuite extends WorkerPoolSuite {

  @ParameterizedTest(name = "batch {0} × workers {1}")
  @CsvSource({"1,1", "3,1", "4,5"})
  default void unhandledItemsAreHandledExactlyTwice(int batch, int workers) {
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
  default void activeWorkersGrowToTheCapAndIdleOnesExitExceptTheLast() {
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

  @EveryBackend
  @Test
  default void aBatchNeverExceedsBatchLength() {
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    Seen seen = new Seen();
    Calls calls = new Calls();
    QueueSettings s = settings(b -> b.batchLength(4).maxWorkers(3));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("batchlen"),
        Integer.class, items -> {
          sizes.add(items.size());
          items.forEach(seen::add);
          return calls.record(items);
        }).settings(s));
    if (!testBackend().capabilities().stores()) {
      assertNothingIsBatched(q, calls, 23);
      return;
    }
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
  default void aPartialBatchWaitsForBatchDebounceAndAFullOneDoesNot() {
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
  default void aPartialBatchGoesOutAfterBatchDebounceWithoutAFlush() {
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
  default void busyWorkersAreNotRetiredWhileWorkRemains() {
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
  default void oneWorkerCapIsNeverExceeded() {
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
  default void setMaxWorkersTakesEffectAtRunTime() {
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
  default void aPartialBatchGoesOutOnceTheInjectedClockPassesBatchDebounce() {
    // BATCH_DEBOUNCE of an hour, so real time never ends it: only the queue's clock does, moved by
    // exactly the setting + 1 ms in all (1 ms short of it first, then past it). The window is fixed
    // at the first item (later ones do not move it), so every item claimed before the clock passed
    // it goes out in the one batch: that the batch holds them all is the proof it was held.
    Duration debounce = Duration.ofHours(1);
    Calls calls = new Calls();
    List<List<Integer>> batches = calls.batches;
    QueueSettings s = settings(b -> b.batchLength(10).batchDebounce(debounce));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("clockdebounce"),
        Integer.class, calls::record).settings(s));
    if (!testBackend().capabilities().stores()) {
      assertNothingIsBatched(q, calls, 3);
      return;
    }
    q.pause(); // the three are claimed together
    for (int i = 0; i < 3; i++) {
      q.push(i);
    }
    q.resume();
    // len() reads the store (stats() is cached for a second): claimed. A later item claimed too
    // means the claim loop went round after buffering the three, so their window (read from the
    // clock as the first was buffered) has begun before the clock moves.
    await().atMost(WAIT).pollDelay(Duration.ZERO).until(() -> q.len() == 0);
    pushAndAwaitClaimed(q, 3);
    assertThat(batches).as("claimed, and held for BATCH_DEBOUNCE").isEmpty();

    clock().advance(debounce.minusMillis(1));
    // claimed after the move, and then one more: the loop has looked at the moved clock between
    pushAndAwaitClaimed(q, 4);
    pushAndAwaitClaimed(q, 5);
    clock().advance(Duration.ofMillis(2)); // now BATCH_DEBOUNCE + 1 ms after the first item

    await().atMost(WAIT).pollDelay(Duration.ZERO).until(() -> !batches.isEmpty());
    assertThat(batches).as("one batch, out only once the clock passed BATCH_DEBOUNCE")
        .singleElement().asList().containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(q.flush(WAIT)).isTrue();
  }

  /**
   * What a backend that stores nothing does instead of batching, checked while {@code count} items
   * are pushed: nothing waits for {@code BATCH_LENGTH}, {@code BATCH_DEBOUNCE} or a worker, and no
   * worker starts. On {@code immediate} (capabilities: handles) the handler has seen each item
   * alone, in the pushing thread, before its push returned, whatever the settings say; on {@code
   * dummy} (discarding) every push is accepted and the handler never runs.
   */
  private void assertNothingIsBatched(WorkerPoolQueue<Integer> q, Calls calls, int count) {
    for (int i = 0; i < count; i++) {
      assertThat(q.push(i)).isEqualTo(PushResult.ADDED);
      assertThat(calls.batches).as("handler calls once push(%d) returned", i)
          .hasSize((i + 1) * once());
      if (once() == 1) {
        assertThat(calls.batches.get(i)).as("call %d", i).containsExactly(i);
      }
    }
    assertThat(calls.threads).as("the handler ran in the pushing thread only")
        .allMatch(t -> t == Thread.currentThread());
    assertThat(q.len()).as("nothing waits").isZero();
    assertThat(q.workers()).as("no worker started").isZero();
    assertThat(q.activeWorkers()).isZero();
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(q.stats().handled()).isEqualTo((long) count * once());
  }

  /** Pushes {@code item} and waits until the pool has claimed it (the store holds none ready). */
  private static void pushAndAwaitClaimed(WorkerPoolQueue<Integer> q, int item) {
    q.push(item);
    await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
        .until(() -> q.len() == 0);
  }

  @EveryBackend
  @Test
  default void idleWorkersExitOnceTheInjectedClockPassesWorkerIdleTimeoutExceptTheLast() {
    // WORKER_IDLE_TIMEOUT of an hour, so real time never ends it; the clock is moved once, by
    // exactly the setting (+ 1 ms), after each worker has provably begun its idle wait.
    Duration idleTimeout = Duration.ofHours(1);
    CountDownLatch release = new CountDownLatch(1);
    Calls calls = new Calls();
    QueueSettings s = settings(b -> b.batchLength(1).maxWorkers(3)
        .workerIdleTimeout(idleTimeout));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("clockidle"),
        Integer.class, items -> {
          release.await();
          return calls.record(items);
        }).settings(s));
    if (!testBackend().capabilities().stores()) {
      release.countDown(); // immediate: the handler runs in this thread
      assertNothingIsBatched(q, calls, 6);
      clock().advance(idleTimeout.plusMillis(1));
      assertThat(q.workers()).as("no worker to retire").isZero();
      return;
    }
    for (int i = 0; i < 6; i++) {
      q.push(i);
    }
    await().atMost(WAIT).until(() -> q.workers() == 3 && q.activeWorkers() == 3);
    release.countDown();
    assertThat(q.flush(WAIT)).isTrue();
    awaitIdleWorkers(q, 3);
    assertThat(q.workers()).as("idle, but within WORKER_IDLE_TIMEOUT").isEqualTo(3);

    clock().advance(idleTimeout.plusMillis(1));

    await().atMost(WAIT).pollDelay(Duration.ZERO).until(() -> q.workers() == 1);
    q.push(9);
    assertThat(q.flush(WAIT)).as("the last worker stays and handles what comes").isTrue();
    assertThat(q.workers()).isEqualTo(1);
  }
}
