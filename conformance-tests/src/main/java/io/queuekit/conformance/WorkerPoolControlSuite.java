package io.queuekit.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.queuekit.ItemEvent;
import io.queuekit.PermanentFailure;
import io.queuekit.QueueClosedException;
import io.queuekit.QueueListener;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueSpec;
import io.queuekit.QueueStats;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.Delivery;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Worker-pool tests of what an operator does: flush (with timeouts, unbounded, with delayed items),
 * pause and resume, shutdown (stuck handlers, a handler shutting its own queue down, items kept),
 * and the manager's administration by name. Run by {@link WorkerPoolConformanceTest}.
 */
public interface WorkerPoolControlSuite extends WorkerPoolSuite {

  @Test
  default void flushReturnsFalseAtTheTimeoutWithItemsIntact() throws Exception {
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
  default void flushTakesAnUnboundedTimeout() {
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
  default void unboundedHandlerAndShutdownTimeoutsWork() {
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
  default void flushWaitsForDelayedItemsWithoutPromotingThem() {
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
    clock().advance(Duration.ofMinutes(1));
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen.of(5)).isEqualTo(1);
  }

  @Test
  default void pauseStopsClaimingAndResumeRestartsIt() {
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
  default void shutdownInterruptsAStuckHandlerAndGivesItsItemsBackUncounted() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    List<ItemEvent<Integer>> stale = new CopyOnWriteArrayList<>();
    String name = uniqueName("stuck");
    QueueSettings s = settings(b -> b.batchLength(2).maxWorkers(1)
        .shutdownTimeout(Duration.ofMillis(100)));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(name, Integer.class, items -> {
      started.countDown();
      Stuck.untilInterrupted(interrupted);
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
    if (testBackend().capabilities().persistent()) {
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
  default void aHandlerMayShutItsOwnQueueDown() throws Exception {
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
  default void shutdownLeavesEveryItemStored() throws Exception {
    assumeTrue(testBackend().capabilities().persistent(), "needs a persistent backend");
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
  default void managerAdministersQueuesByName() {
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
    clock().advance(Duration.ofMinutes(2));
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
