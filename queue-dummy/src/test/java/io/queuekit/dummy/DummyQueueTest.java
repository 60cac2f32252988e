package io.queuekit.dummy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuekit.Delivered;
import io.queuekit.ItemEvent;
import io.queuekit.PermanentFailure;
import io.queuekit.PushResult;
import io.queuekit.QueueClosedException;
import io.queuekit.QueueConfig;
import io.queuekit.QueueInterruptedException;
import io.queuekit.QueueListener;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueSpec;
import io.queuekit.UnhandledItemException;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueues;
import io.queuekit.spi.Item;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code dummy} and {@code immediate} backends, alone and under a worker pool. */
class DummyQueueTest {
  @TempDir Path dataPath;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stopScheduler() {
    scheduler.shutdownNow();
  }

  private BaseQueue open(String type, boolean unique) {
    QueueSettings s = QueueSettings.builder().type(type).build();
    return BaseQueues.load().create(type,
        new BaseQueueConfig("d", s, unique, Clock.systemUTC(), scheduler, dataPath));
  }

  private QueueManager manager(String type, int maxDeliveries) {
    return QueueManager.builder().dataPath(dataPath)
        .config(QueueConfig.of(QueueSettings.builder().type(type).maxDeliveries(maxDeliveries).build()))
        .build();
  }

  private static Item item(String s) {
    return Item.of(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void dummyDiscardsEverything() {
    try (BaseQueue q = open("dummy", true)) {
      assertThat(q.mode()).isEqualTo(BaseQueue.Mode.DISCARDING);
      assertThat(q.push(item("foo"), Duration.ZERO)).isEqualTo(PushResult.ADDED);
      assertThat(q.push(item("foo"), Duration.ZERO)).isEqualTo(PushResult.ADDED);
      assertThat(q.len()).isZero();
      assertThat(q.has("foo".getBytes(StandardCharsets.UTF_8))).isFalse();
      assertThat(q.claim(10, Duration.ofMillis(20))).isEmpty();
      assertThat(q.removeAll()).isZero();
      assertThat(q.stats().waiting()).isZero();
    }
  }

  @Test
  void dummyClaimWaitsUntilCloseAndThenRefusesCalls() {
    BaseQueue q = open("dummy", false);
    CompletableFuture<List<?>> claim = new CompletableFuture<>();
    Thread claimer = new Thread(() -> {
      try {
        claim.complete(q.claim(1, Duration.ofMinutes(5)));
      } catch (Throwable e) {
        claim.completeExceptionally(e);
      }
    }, "dummy-claimer");
    claimer.setDaemon(true);
    claimer.start();
    // still blocked is a state: the claimer is parked inside claim and claim has not returned
    await().atMost(Duration.ofSeconds(10)).until(() -> claim.isDone()
        || claimer.getState() == Thread.State.WAITING
        || claimer.getState() == Thread.State.TIMED_WAITING);
    assertThat(claim).as("claim returned before close").isNotDone();
    q.close();
    assertThat(claim.join()).isEmpty();
    q.close();
    assertThatThrownBy(() -> q.push(item("x"), Duration.ZERO)).isInstanceOf(QueueClosedException.class);
  }

  @Test
  void dummyClaimWithTheInterruptFlagSetThrows() {
    try (BaseQueue q = open("dummy", false)) {
      Thread.currentThread().interrupt();
      assertThatThrownBy(() -> q.claim(1, Duration.ofSeconds(5)))
          .isInstanceOf(QueueInterruptedException.class);
      assertThat(Thread.interrupted()).isTrue();
    }
  }

  @Test
  void dummyWorkerPoolNeverCallsTheHandlerAndFlushesAtOnce() {
    AtomicInteger calls = new AtomicInteger();
    try (QueueManager m = manager("dummy", 0)) {
      WorkerPoolQueue<String> q = m.createUnique("dummyq", String.class, items -> {
        calls.incrementAndGet();
        return List.of();
      });
      assertThat(q.push("a")).isEqualTo(PushResult.ADDED);
      assertThat(q.push("a")).isEqualTo(PushResult.ADDED);
      assertThat(q.flush(Duration.ZERO)).isTrue();
      assertThat(q.len()).isZero();
      assertThat(q.has("a")).isFalse();
      assertThat(calls.get()).isZero();
      assertThat(q.workers()).isZero();
    }
  }

  record Mail(String to, String subject) {}

  @Test
  void immediateHandlesInTheCallersThreadAfterAJsonRoundTrip() {
    List<Object> seen = new CopyOnWriteArrayList<>();
    List<Thread> threads = new CopyOnWriteArrayList<>();
    Mail mail = new Mail("a@example.com", "hi");
    try (QueueManager m = manager("immediate", 0)) {
      WorkerPoolQueue<Mail> q = m.createSimple("mail", Mail.class, items -> {
        seen.addAll(items);
        threads.add(Thread.currentThread());
        return List.of();
      });
      assertThat(q.push(mail)).isEqualTo(PushResult.ADDED);
      assertThat(seen).singleElement().isEqualTo(mail).isNotSameAs(mail);
      assertThat(threads).containsExactly(Thread.currentThread());
      assertThat(q.flush(Duration.ZERO)).isTrue();
      assertThat(q.stats().handled()).isEqualTo(1);
    }
  }

  @Test
  void nullIsRefusedAtTheCallOnDummyAndImmediate() {
    for (String type : List.of("dummy", "immediate")) {
      try (QueueManager m = manager(type, 0)) {
        WorkerPoolQueue<String> q = m.create(QueueSpec.simple("nulls_" + type, String.class,
            batch -> List.of()));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> q.push(null)).as(type)
            .isInstanceOf(NullPointerException.class).hasMessageContaining("nulls_" + type);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> q.pushAll(java.util.Arrays.asList("a", null),
            java.time.Duration.ofSeconds(1))).as(type).isInstanceOf(NullPointerException.class);
      }
    }
  }

  @Test
  void immediateRetriesUpToMaxDeliveriesThenThrowsTheItemBack() {
    AtomicInteger calls = new AtomicInteger();
    try (QueueManager m = manager("immediate", 3)) {
      WorkerPoolQueue<Integer> q = m.createSimple("failing", Integer.class, items -> {
        calls.incrementAndGet();
        if (calls.get() % 2 == 0) {
          throw new IllegalStateException("index down");
        }
        return items;
      });
      assertThatThrownBy(() -> q.push(7))
          .isInstanceOfSatisfying(UnhandledItemException.class, e -> {
            assertThat(e.item()).isEqualTo(7);
            assertThat(e.getMessage()).contains("failing").contains("3 attempt");
          });
      assertThat(calls.get()).isEqualTo(3);
    }
  }

  @Test
  void immediateTellsTheListenersAndCountsAsWorkersDo() {
    // Metrics wired through listeners must see an immediate queue's items too: a retry per failed
    // attempt another one follows, then the handled one; the stats count the same.
    List<String> events = new CopyOnWriteArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    try (QueueManager m = manager("immediate", 3)) {
      WorkerPoolQueue<Integer> q = m.create(QueueSpec.simple("listened", Integer.class, items -> {
        if (calls.incrementAndGet() < 3) {
          throw new IllegalStateException("index down");
        }
        return List.of();
      }).listener(new QueueListener<Integer>() {
        @Override
        public void onHandled(ItemEvent<Integer> e) {
          events.add("handled " + e.item().orElseThrow() + " after " + e.deliveryCount());
        }

        @Override
        public void onRetry(ItemEvent<Integer> e) {
          events.add("retry " + e.item().orElseThrow() + " #" + e.deliveryCount() + " in "
              + e.delay());
        }

        @Override
        public void onDeadLettered(ItemEvent<Integer> e) {
          events.add("dead " + e.item());
        }
      }));
      assertThat(q.push(7)).isEqualTo(PushResult.ADDED);
      assertThat(events).containsExactly("retry 7 #1 in PT0S", "retry 7 #2 in PT0S",
          "handled 7 after 2");
      assertThat(q.stats().handled()).isEqualTo(1);
      assertThat(q.stats().unhandled()).isEqualTo(2);

      // every attempt fails: retries between them, none after the last; thrown back, not dead
      events.clear();
      calls.set(-10);
      assertThatThrownBy(() -> q.push(8)).isInstanceOf(UnhandledItemException.class);
      assertThat(events).containsExactly("retry 8 #1 in PT0S", "retry 8 #2 in PT0S");
      assertThat(q.stats().handled()).isEqualTo(1);
      assertThat(q.stats().unhandled()).isEqualTo(5);
    }
  }

  @Test
  void immediateTellsADeliveryHandlerItsAttemptsWithNoIdNoRecoveryAndOneFirstPush() {
    List<Delivered<Integer>> seen = new CopyOnWriteArrayList<>();
    Instant before;
    try (QueueManager m = manager("immediate", 3)) {
      WorkerPoolQueue<Integer> q = m.create(QueueSpec.simpleDelivered("attempts", Integer.class,
          batch -> {
            seen.addAll(batch);
            return batch.get(0).deliveryCount() < 2 ? batch : List.of(); // handled on the third
          }));
      before = Instant.now();
      assertThat(q.push(5)).isEqualTo(PushResult.ADDED);
    }
    assertThat(seen).extracting(Delivered::item).containsOnly(5);
    assertThat(seen).extracting(Delivered::deliveryCount).containsExactly(0, 1, 2);
    assertThat(seen).extracting(Delivered::deliveryId).containsOnly(0L);
    assertThat(seen).extracting(Delivered::recoveryCount).containsOnly(0);
    assertThat(seen).extracting(Delivered::firstPushed).containsOnly(seen.get(0).firstPushed());
    assertThat(seen.get(0).firstPushed()).isAfterOrEqualTo(before.truncatedTo(ChronoUnit.MILLIS));
  }

  @Test
  void immediateWithoutMaxDeliveriesTriesOnce() {
    AtomicInteger calls = new AtomicInteger();
    try (QueueManager m = manager("immediate", 0)) {
      WorkerPoolQueue<Integer> q = m.createSimple("once", Integer.class, items -> {
        calls.incrementAndGet();
        return items;
      });
      assertThatThrownBy(() -> q.push(1)).isInstanceOf(UnhandledItemException.class);
      assertThat(calls.get()).isEqualTo(1);
    }
  }

  @Test
  void immediatePermanentFailureIsThrownAtOnce() {
    AtomicInteger calls = new AtomicInteger();
    try (QueueManager m = manager("immediate", 5)) {
      WorkerPoolQueue<Integer> q = m.create(QueueSpec.simple("perm", Integer.class, items -> {
        calls.incrementAndGet();
        throw new PermanentFailure(items.get(0), "malformed");
      }));
      assertThatThrownBy(() -> q.push(1))
          .isInstanceOf(UnhandledItemException.class)
          .hasCauseInstanceOf(PermanentFailure.class);
      assertThat(calls.get()).isEqualTo(1);
      assertThat(q.stats().unhandled()).as("a failed attempt, as any other").isEqualTo(1);
      assertThat(q.stats().deadLettered()).as("thrown back, not stored").isZero();
    }
  }

  @Test
  void immediateKeepsThePushersInterruptAndStopsRetrying() {
    AtomicInteger calls = new AtomicInteger();
    try (QueueManager m = manager("immediate", 5)) {
      WorkerPoolQueue<Integer> q = m.createSimple("interrupted", Integer.class, items -> {
        calls.incrementAndGet();
        // throws at once while the flag is set; a retry without it would wait out the bound
        new java.util.concurrent.CountDownLatch(1).await(30, java.util.concurrent.TimeUnit.SECONDS);
        return items;
      });
      Thread.currentThread().interrupt();
      boolean stillInterrupted;
      try {
        assertThatThrownBy(() -> q.push(1))
            .isInstanceOfSatisfying(UnhandledItemException.class, e -> assertThat(e.item()).isEqualTo(1))
            .hasCauseInstanceOf(InterruptedException.class);
      } finally {
        stillInterrupted = Thread.interrupted();
      }
      assertThat(stillInterrupted).as("the pusher's interrupt flag is kept").isTrue();
      assertThat(calls.get()).as("no retry after an interrupt").isEqualTo(1);
    }
  }

  @Test
  void immediateTreatsANullReturnAsNotHandledAsWorkersDo() {
    AtomicInteger calls = new AtomicInteger();
    try (QueueManager m = manager("immediate", 2)) {
      WorkerPoolQueue<Integer> q = m.createSimple("nullreturn", Integer.class, items -> {
        calls.incrementAndGet();
        return null; // breaks the Handler contract; workers log it and retry the batch
      });
      assertThatThrownBy(() -> q.push(1))
          .isInstanceOfSatisfying(UnhandledItemException.class, e -> assertThat(e.item()).isEqualTo(1));
      assertThat(calls.get()).isEqualTo(2);
      assertThat(q.stats().handled()).isZero();
    }
  }

  @Test
  void pushAfterShutdownIsRefused() {
    try (QueueManager m = manager("immediate", 0)) {
      WorkerPoolQueue<Integer> q = m.createSimple("closed", Integer.class, items -> List.of());
      q.shutdown();
      q.shutdown();
      assertThatThrownBy(() -> q.push(1)).isInstanceOf(QueueClosedException.class);
    }
  }

  @Test
  void immediatePushAllNamesTheIndexItStoppedAtAndWhatHappenedToTheRest() {
    // Handled in order in the pushing thread; item 2 is not handled. The exception must say which
    // one (index 2), carry the results of 0 and 1 (handled) and say 3 and 4 were not attempted, as
    // a stored queue's pushAll reports what it admitted before it stopped (QueueFullException).
    List<Integer> seen = new CopyOnWriteArrayList<>();
    try (QueueManager m = manager("immediate", 2)) {
      WorkerPoolQueue<Integer> q = m.createSimple("batchfails", Integer.class, items -> {
        seen.addAll(items);
        return items.contains(2) ? items : List.of();
      });
      assertThatThrownBy(() -> q.pushAll(List.of(0, 1, 2, 3, 4), Duration.ofSeconds(1)))
          .isInstanceOfSatisfying(UnhandledItemException.class, e -> {
            assertThat(e.index()).isEqualTo(2);
            assertThat(e.item()).isEqualTo(2);
            assertThat(e.attempts()).isEqualTo(2);
            assertThat(e.results()).containsExactly(PushResult.ADDED, PushResult.ADDED);
            assertThat(e.getMessage()).contains("\"batchfails\"", "item 2 of pushAll's 5",
                "items 0..1 before it were handled", "items 3..4 after it were not attempted");
          });
      assertThat(seen).containsExactly(0, 1, 2, 2);
      assertThat(q.stats().handled()).isEqualTo(2);
    }
  }

  @Test
  void immediatePushAllChecksEverySizeFirstAndNamesTheTooLargeIndex() {
    List<String> seen = new CopyOnWriteArrayList<>();
    try (QueueManager m = QueueManager.builder().dataPath(dataPath)
        .config(QueueConfig.of(QueueSettings.builder().type("immediate").maxItemSize(16).build()))
        .build()) {
      WorkerPoolQueue<String> q = m.createSimple("toolarge", String.class, items -> {
        seen.addAll(items);
        return List.of();
      });
      assertThatThrownBy(() -> q.pushAll(List.of("ok", "x".repeat(40), "ok2"), Duration.ofSeconds(1)))
          .isInstanceOf(io.queuekit.ItemTooLargeException.class)
          .hasMessageContaining("index 1");
      assertThat(seen).as("nothing handled").isEmpty();
    }
  }
}
