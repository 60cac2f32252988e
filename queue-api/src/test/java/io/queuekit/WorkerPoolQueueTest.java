package io.queuekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuekit.spi.Delivery;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The worker pool over {@link FakeBaseQueue}: what the conformance suite cannot reach on the
 * in-memory backend (what shutdown hands back to the store, recovered deliveries).
 */
class WorkerPoolQueueTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  /** One lane per test, as one manager would have: the cross-queue tests share it. */
  private final RecoveredLane lane = new RecoveredLane();
  private final List<DefaultWorkerPoolQueue<?>> queues = new ArrayList<>();

  @AfterEach
  void tearDown() {
    for (DefaultWorkerPoolQueue<?> q : queues) {
      q.shutdown();
    }
    scheduler.shutdownNow();
  }

  private static QueueSettings settings(UnaryOperator<QueueSettings.Builder> adjust) {
    return adjust.apply(QueueSettings.builder().type("channel").batchDebounce(Duration.ofMillis(20))
        .shutdownTimeout(Duration.ofSeconds(5)).workerIdleTimeout(Duration.ofSeconds(30))).build();
  }

  private DefaultWorkerPoolQueue<String> queue(FakeBaseQueue base, QueueSettings s,
      Handler<String> handler) {
    return queue(base, s, Duration.ofMillis(100), handler);
  }

  private DefaultWorkerPoolQueue<String> queue(FakeBaseQueue base, QueueSettings s,
      Duration claimWait, Handler<String> handler) {
    return queue(base, s, claimWait, Thread::new, handler);
  }

  private DefaultWorkerPoolQueue<String> queue(FakeBaseQueue base, QueueSettings s,
      Duration claimWait, java.util.concurrent.ThreadFactory threads, Handler<String> handler) {
    DefaultWorkerPoolQueue<String> q = new DefaultWorkerPoolQueue<>(
        QueueSpec.simple(base.name(), String.class, handler), s, base, Clock.systemUTC(), scheduler,
        claimWait, lane, () -> { }, threads);
    queues.add(q);
    q.start();
    return q;
  }

  @Test
  void theLargestMaxWorkersStillClaimsAndHandles() {
    // the claim loop's bound on what it holds, BATCH_LENGTH × (MAX_WORKERS + 1), once wrapped
    // to 0 in int arithmetic here, and the queue claimed nothing
    FakeBaseQueue base = new FakeBaseQueue("hugeworkers");
    List<String> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
    DefaultWorkerPoolQueue<String> q = queue(base,
        settings(b -> b.batchLength(1).maxWorkers(Integer.MAX_VALUE)), items -> {
          handled.addAll(items);
          return List.of();
        });
    q.push("a");
    q.push("b");
    await().atMost(WAIT).until(() -> handled.size() == 2);
    assertThat(handled).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void shutdownFromAnInterruptedThreadStillGivesBackWhatTheClaimLoopHolds() {
    FakeBaseQueue base = new FakeBaseQueue("interruptedshutdown");
    DefaultWorkerPoolQueue<String> q = queue(base,
        settings(b -> b.batchLength(10).batchDebounce(Duration.ofMinutes(1))), items -> List.of());
    for (int i = 0; i < 3; i++) {
      q.push("item" + i);
    }
    // claimed into the claim loop's batch, which waits for its debounce
    await().atMost(WAIT).until(() -> base.inFlight() == 3);
    Thread.currentThread().interrupt();
    boolean stillInterrupted;
    try {
      q.shutdown();
    } finally {
      stillInterrupted = Thread.interrupted();
    }
    assertThat(stillInterrupted).as("the interrupt flag is kept").isTrue();
    assertThat(base.unclaimed()).extracting(Delivery::id).containsExactly(1L, 2L, 3L);
    assertThat(base.inFlight()).isZero();
    assertThat(base.closed()).isTrue();
  }

  @Test
  void aStoreFailureGivingBackAClaimThatRacedPauseDoesNotStopClaiming() {
    // pause() lands while a claim is in the store; the claim loop gives what it got back, and the
    // store fails that call once (an outage): claiming must go on once the store answers.
    FakeBaseQueue base = new FakeBaseQueue("pauseraceoutage");
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    DefaultWorkerPoolQueue<String> q = queue(base, settings(s -> s.batchLength(1)), items -> {
      seen.addAll(items);
      return List.of();
    });
    AtomicBoolean raced = new AtomicBoolean();
    base.onHandOut(() -> {
      if (raced.compareAndSet(false, true)) {
        q.pause();
      }
    });
    base.failUnclaims(1);
    q.push("first");
    await().atMost(WAIT).until(() -> base.unclaimed().size() == 1); // given back once it could
    q.resume();
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen).containsExactly("first");
  }

  @Test
  void whatAClaimRacingPauseGivesBackAndTheStoreMergesIsCountedMerged() {
    // a unique queue's store folds a given-back delivery into a waiting copy (MERGED): the claim
    // loop's give-back counts it as shutdown's does, so stats().merged() does not drift low
    FakeBaseQueue base = new FakeBaseQueue("pauseracemerged");
    DefaultWorkerPoolQueue<String> q = queue(base, settings(s -> s.batchLength(1)), items -> List.of());
    AtomicBoolean raced = new AtomicBoolean();
    base.onHandOut(() -> {
      if (raced.compareAndSet(false, true)) {
        q.pause();
      }
    });
    base.mergeUnclaims();
    q.push("a");
    await().atMost(WAIT).until(() -> q.stats().merged() == 1);
    assertThat(base.inFlight()).isZero();
  }

  @Test
  void aTimedOutBatchDeadLettersItsUndecodableItemsAsUndecodableAndRetriesTheRest() {
    // HANDLER_TIMEOUT settles the whole batch: an item the codec could not read was never seen
    // by the handler, so it is undecodable, not a retry (nor a MAX_DELIVERIES death)
    FakeBaseQueue base = new FakeBaseQueue("timeoutundecodable");
    Codec<String> codec = new Codec<>() {
      @Override
      public byte[] encode(String item) {
        return item.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }

      @Override
      public String decode(byte[] bytes) {
        String v = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        if (v.equals("bad")) {
          throw new IllegalArgumentException("cannot read bad");
        }
        return v;
      }
    };
    List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch hang = new CountDownLatch(1);
    QueueSpec<String> spec = QueueSpec.simple(base.name(), String.class, b -> {
      awaitQuietly(hang);
      return List.<String>of();
    }).codec(codec).listener(new QueueListener<String>() {
      @Override
      public void onDeadLettered(ItemEvent<String> e) {
        events.add("dead " + e.item().orElse("?") + " " + e.cause().orElseThrow());
      }

      @Override
      public void onRetry(ItemEvent<String> e) {
        events.add("retry " + e.item().orElse("?"));
      }
    });
    DefaultWorkerPoolQueue<String> q = new DefaultWorkerPoolQueue<>(spec,
        settings(s -> s.batchLength(2).maxWorkers(1).handlerTimeout(Duration.ofMillis(200))
            .retryDelay(Duration.ZERO)),
        base, Clock.systemUTC(), scheduler, Duration.ofMillis(100), lane, () -> { });
    queues.add(q);
    q.start();
    try {
      q.pushAll(List.of("good", "bad"), WAIT);
      await().atMost(WAIT).until(() -> events.contains("retry good")
          && events.contains("dead ? UNDECODABLE"));
      // "good" is retried (and may time out again); the unreadable item dies once, undecodable
      assertThat(events).filteredOn(e -> e.contains("?")).containsExactly("dead ? UNDECODABLE");
    } finally {
      hang.countDown();
    }
  }

  @Test
  void aStoreClosedUnderTheClaimLoopAsItGivesBackIsSaidNotSilent() {
    // the claim loop ends when its store is closed under it; when that happens as it gives back
    // what a claim racing pause() got, it once ended without a word
    FakeBaseQueue base = new FakeBaseQueue("closedgiveback");
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      DefaultWorkerPoolQueue<String> q = queue(base, settings(s -> s.batchLength(1)),
          items -> List.of());
      AtomicBoolean raced = new AtomicBoolean();
      base.onHandOut(() -> {
        if (raced.compareAndSet(false, true)) {
          q.pause();
          base.close();
        }
      });
      q.push("a");
      await().atMost(WAIT).until(() -> err.toString(java.nio.charset.StandardCharsets.UTF_8)
          .contains("queue \"closedgiveback\": store closed under the claim loop while giving "
              + "back 1 items claimed as it paused; claiming stops"));
    } finally {
      System.setErr(original);
    }
  }

  @Test
  void flushWaitsOutAStoreThatDoesNotAnswerForAMomentAndGivesUpAtItsTimeout() {
    FakeBaseQueue base = new FakeBaseQueue("flushblip");
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    DefaultWorkerPoolQueue<String> q = queue(base, settings(s -> s), items -> {
      seen.addAll(items);
      return List.of();
    });
    q.push("a");
    base.failStats(3); // it threw the first QueueUnavailableException at its caller
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen).containsExactly("a");
    base.failStats(Integer.MAX_VALUE);
    assertThat(q.flush(Duration.ofMillis(200))).as("no answer until the timeout").isFalse();
    base.failStats(0);
  }

  @Test
  void raisingMaxWorkersLetsTheClaimLoopClaimMoreAtOnce() {
    // At the prefetch bound (BATCH_LENGTH × (MAX_WORKERS + 1)) the claim loop waits for a settle;
    // a higher cap raises the bound and must wake it, not leave it waiting out its claim wait
    // (here an hour: a long claim wait keeps an idle queue cheap on a remote store).
    FakeBaseQueue base = new FakeBaseQueue("raisecap");
    AtomicInteger running = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    DefaultWorkerPoolQueue<String> q = queue(base, settings(s -> s.batchLength(1).maxWorkers(1)),
        Duration.ofHours(1), items -> {
          running.incrementAndGet();
          awaitQuietly(release);
          return List.of();
        });
    for (int i = 0; i < 4; i++) {
      q.push("item" + i);
    }
    await().atMost(WAIT).until(() -> running.get() == 1 && base.handedOut() == 2); // at the bound
    q.setMaxWorkers(3);
    await().atMost(WAIT).until(() -> running.get() == 3 && base.handedOut() == 4);
    release.countDown();
    assertThat(q.flush(WAIT)).isTrue();
  }

  @Test
  void aClaimAheadIsHintedOnlyWithRoomForItUnderThePrefetchBound() {
    // BATCH_LENGTH 2 × (MAX_WORKERS 1 + 1): at most 4 unsettled, a claim sent ahead included
    FakeBaseQueue base = new FakeBaseQueue("ahead");
    readyBeforeTheFirstClaim(base, 10);
    CountDownLatch release = new CountDownLatch(1);
    DefaultWorkerPoolQueue<String> q = heldInHandlers(base, 1, release);
    await().atMost(WAIT).until(() -> base.handedOut() >= 4); // at the bound
    assertThat(base.handedOut()).isEqualTo(4);
    assertThat(base.aheadPeaks()).as("after the first full batch, with room for one more")
        .isNotEmpty().allSatisfy(peak -> assertThat(peak).isLessThanOrEqualTo(4));
    int hints = base.aheadPeaks().size();
    assertThat(base.inFlight()).isEqualTo(4);
    assertThat(base.aheadPeaks()).as("none at the bound").hasSize(hints);
    release.countDown();
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(base.aheadPeaks()).allSatisfy(peak -> assertThat(peak).isLessThanOrEqualTo(4));
  }

  @Test
  void whatWasClaimedAheadGoesBackWhenTheQueuePausesBeforeTheNextClaim() {
    FakeBaseQueue base = new FakeBaseQueue("aheadpause");
    readyBeforeTheFirstClaim(base, 6);
    CountDownLatch release = new CountDownLatch(1);
    // paused between the first claim ahead and the claim that would take it
    var queue = atHint(base, 1, WorkerPoolQueue::pause);
    DefaultWorkerPoolQueue<String> q = heldInHandlers(base, 1, release);
    queue.set(q);
    // the first batch runs; what was claimed ahead is given back, not held while paused
    await().atMost(WAIT).until(() -> base.unclaimed().size() == 2);
    assertThat(unclaimedPayloads(base)).containsExactly("\"item2\"", "\"item3\"");
    assertThat(base.inFlight()).as("the running batch only").isEqualTo(2);
    release.countDown();
    q.resume();
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(base.inFlight()).isZero();
  }

  @Test
  void pausedWithTheWorkerCapLoweredAfterAHintTheCollectingClaimStillAsksForABatch() {
    // bound 2 × (3 + 1) = 8; at the third hint 6 are held and 2 taken ahead: lowering the cap to
    // 1 leaves no room, yet what was taken ahead must be collected and given back
    FakeBaseQueue base = new FakeBaseQueue("aheadcap");
    readyBeforeTheFirstClaim(base, 20);
    CountDownLatch release = new CountDownLatch(1);
    var queue = atHint(base, 3, q -> {
      q.setMaxWorkers(1);
      q.pause();
    });
    DefaultWorkerPoolQueue<String> q = heldInHandlers(base, 3, release);
    queue.set(q);
    await().atMost(WAIT).until(() -> base.unclaimed().size() == 2);
    assertThat(unclaimedPayloads(base)).containsExactly("\"item6\"", "\"item7\"");
    assertThat(base.claimMaxes()).allSatisfy(max -> assertThat(max).isPositive());
    assertThat(base.inFlight()).as("the three running batches").isEqualTo(6);
    release.countDown();
    q.resume();
    assertThat(q.flush(WAIT)).isTrue();
  }

  @Test
  void aPausedPoolClaimsNothingWhenTheStoreDeclinedTheHint() {
    FakeBaseQueue base = new FakeBaseQueue("aheaddeclined");
    base.declineClaimsAhead();
    readyBeforeTheFirstClaim(base, 6);
    var queue = atHint(base, 1, WorkerPoolQueue::pause);
    DefaultWorkerPoolQueue<String> q = queue(base, settings(s -> s.batchLength(2).maxWorkers(1)),
        Duration.ofHours(1), items -> List.of());
    queue.set(q);
    // the claim thread waits, paused, having claimed once
    await().atMost(WAIT).until(() -> Thread.getAllStackTraces().entrySet().stream()
        .anyMatch(e -> e.getKey().getName().equals("queuekit-aheaddeclined-claimer")
            && java.util.Arrays.stream(e.getValue())
                .anyMatch(f -> f.getMethodName().equals("doAwait"))));
    assertThat(base.claimMaxes()).containsExactly(2);
    assertThat(base.unclaimCalls()).isZero();
    q.resume();
    assertThat(q.flush(WAIT)).isTrue();
  }

  /**
   * At claim-ahead hint number {@code at} (from 1), {@code then} runs on the queue set in the
   * returned reference, in the claimer's thread (which waits for the test to set it).
   */
  private static java.util.concurrent.atomic.AtomicReference<DefaultWorkerPoolQueue<String>> atHint(
      FakeBaseQueue base, int at, java.util.function.Consumer<DefaultWorkerPoolQueue<String>> then) {
    var queue = new java.util.concurrent.atomic.AtomicReference<DefaultWorkerPoolQueue<String>>();
    AtomicInteger hints = new AtomicInteger();
    base.onClaimAhead(() -> {
      if (hints.incrementAndGet() == at) {
        await().atMost(WAIT).until(() -> queue.get() != null);
        then.accept(queue.get());
      }
    });
    return queue;
  }

  /**
   * A queue on {@code base} in batches of 2 whose handlers hold each batch until {@code release}
   * opens; it claims at once, with an hour's claim wait.
   */
  private DefaultWorkerPoolQueue<String> heldInHandlers(FakeBaseQueue base, int maxWorkers,
      CountDownLatch release) {
    return queue(base, settings(s -> s.batchLength(2).maxWorkers(maxWorkers)),
        Duration.ofHours(1), items -> {
          awaitQuietly(release);
          return List.of();
        });
  }

  /** What was given back to {@code base}, each payload as its JSON text. */
  private static List<String> unclaimedPayloads(FakeBaseQueue base) {
    return base.unclaimed().stream()
        .map(d -> new String(d.payload(), java.nio.charset.StandardCharsets.UTF_8)).toList();
  }

  /** Items {@code "item0"} … as JSON, ready in {@code base} before a queue claims from it. */
  private static void readyBeforeTheFirstClaim(FakeBaseQueue base, int n) {
    for (int i = 0; i < n; i++) {
      base.pushRecovered("\"item" + i + "\"", 0);
    }
  }

  /** Occupies the test scheduler's only thread until the latch opens: no retry runs meanwhile. */
  private CountDownLatch holdScheduler() {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch open = new CountDownLatch(1);
    scheduler.execute(() -> {
      held.countDown();
      awaitQuietly(open);
    });
    awaitQuietly(held);
    return open;
  }

  @Test
  void aStoreFailingOneReleaseStillSettlesTheRestOfTheBatchAndRetriesTheRelease() {
    // The handler leaves "b" unhandled; the store fails every release (an outage) while ack works.
    // The failing release must not keep "a" and "c" in flight, and must be retried once the store
    // answers: the batch ends fully settled, the claim loop's held count back at zero.
    FakeBaseQueue base = new FakeBaseQueue("releasefails");
    base.failReleases(Integer.MAX_VALUE);
    CountDownLatch scheduler = holdScheduler();
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicBoolean failedOnce = new AtomicBoolean();
    DefaultWorkerPoolQueue<String> q = queue(base,
        settings(s -> s.batchLength(3).batchDebounce(Duration.ofMinutes(1))), items -> {
          seen.addAll(items);
          return items.contains("b") && failedOnce.compareAndSet(false, true) ? List.of("b")
              : List.of();
        });
    q.pushAll(List.of("a", "b", "c"), WAIT);
    await().atMost(WAIT).until(() -> q.stats().handled() == 2);
    assertThat(base.inFlight()).as("only the delivery whose release failed").isEqualTo(1);
    base.failReleases(0);
    scheduler.countDown();
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen).containsExactly("a", "b", "c", "b");
    assertThat(q.stats().handled()).isEqualTo(3);
    assertThat(q.stats().unhandled()).isEqualTo(1);
  }

  @Test
  void aStoreCallThrowingAnErrorIsRetriedLikeAnOutage() {
    // A backend whose client fails with an Error (a class of it that does not load) on a release:
    // the batch-mates must still be acked and the release retried, not the batch left unsettled.
    FakeBaseQueue base = new FakeBaseQueue("releaseerror");
    base.failReleases(1, () -> new NoClassDefFoundError("io/lettuce/core/Missing"));
    AtomicBoolean failedOnce = new AtomicBoolean();
    DefaultWorkerPoolQueue<String> q = queue(base,
        settings(s -> s.batchLength(2).batchDebounce(Duration.ofMinutes(1))), items ->
            items.contains("b") && failedOnce.compareAndSet(false, true) ? List.of("b") : List.of());
    q.pushAll(List.of("a", "b"), WAIT);
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(q.stats().handled()).isEqualTo(2);
    assertThat(q.stats().unhandled()).isEqualTo(1);
  }

  @Test
  void aStoreFailingTheReleaseOfATimedOutBatchRetriesItForEveryDelivery() {
    // HANDLER_TIMEOUT releases the batch from the scheduler; the store fails the first release.
    // Before, the rest of the batch was not released either and stayed in flight for good.
    FakeBaseQueue base = new FakeBaseQueue("timeoutreleasefails");
    base.failReleases(1);
    AtomicInteger calls = new AtomicInteger();
    List<String> handledLater = new java.util.concurrent.CopyOnWriteArrayList<>();
    DefaultWorkerPoolQueue<String> q = queue(base, settings(s -> s.batchLength(2)
        .batchDebounce(Duration.ofMinutes(1)).handlerTimeout(Duration.ofMillis(200))), items -> {
          if (calls.incrementAndGet() == 1) {
            new CountDownLatch(1).await(WAIT.toSeconds(), TimeUnit.SECONDS); // until interrupted
          } else {
            handledLater.addAll(items);
          }
          return List.of();
        });
    q.pushAll(List.of("a", "b"), WAIT);
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(handledLater).containsExactlyInAnyOrder("a", "b");
    assertThat(q.stats().unhandled()).isEqualTo(2);
  }

  @Test
  void aStoreFailingAnAckRetriesItInsteadOfLeavingTheBatchInFlight() {
    FakeBaseQueue base = new FakeBaseQueue("ackfails");
    base.failAcks(1);
    List<ItemEvent<String>> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
    DefaultWorkerPoolQueue<String> q = new DefaultWorkerPoolQueue<>(
        QueueSpec.simple(base.name(), String.class, items -> List.<String>of())
            .listener(new QueueListener<String>() {
              @Override
              public void onHandled(ItemEvent<String> e) {
                handled.add(e);
              }
            }),
        settings(s -> s.batchLength(2).batchDebounce(Duration.ofMinutes(1))), base,
        Clock.systemUTC(), scheduler, Duration.ofMillis(100), lane, () -> { });
    queues.add(q);
    q.start();
    q.pushAll(List.of("a", "b"), WAIT);
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(base.inFlight()).isZero();
    assertThat(handled).extracting(e -> e.item().orElseThrow()).containsExactly("a", "b");
  }

  @Test
  void shutdownGivesSettleCallsWaitingForARetryALastAttempt() {
    // The store failed a release and the retry waits on the (here occupied) scheduler when the
    // queue shuts down: the store answers again, so the release must go through before it closes.
    FakeBaseQueue base = new FakeBaseQueue("settleatshutdown");
    base.failReleases(1);
    CountDownLatch scheduler = holdScheduler();
    DefaultWorkerPoolQueue<String> q = queue(base, settings(s -> s.batchLength(2)
        .batchDebounce(Duration.ofMinutes(1))), items -> List.of("b"));
    q.pushAll(List.of("a", "b"), WAIT);
    await().atMost(WAIT).until(() -> q.stats().handled() == 1);
    assertThat(base.inFlight()).isEqualTo(1);
    q.shutdown();
    scheduler.countDown();
    assertThat(base.inFlight()).as("released before the store closed").isZero();
    assertThat(base.closed()).isTrue();
    assertThat(base.unclaimed()).isEmpty();
  }

  /**
   * What a backend's claim may throw besides a QueueException: its client's runtime exception let
   * through unwrapped (Lettuce, LevelDB), or an Error such as a client class that does not load.
   * Either used to end the claim loop, so the queue silently stopped handling while push kept
   * accepting.
   */
  static List<Throwable> claimFailuresThatAreOutages() {
    return List.of(new IllegalStateException("connection reset (unwrapped)"),
        new NoClassDefFoundError("io/lettuce/core/Missing"));
  }

  @ParameterizedTest
  @MethodSource("claimFailuresThatAreOutages")
  void aClaimThrowingOtherThanAQueueExceptionIsRetriedLikeAnOutage(Throwable failure) {
    FakeBaseQueue base = new FakeBaseQueue("claimfailure");
    base.failClaims(3, () -> failure);
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    DefaultWorkerPoolQueue<String> q = queue(base, settings(s -> s.batchLength(1)), items -> {
      seen.addAll(items);
      return List.of();
    });
    q.push("after the outage");
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen).containsExactly("after the outage");
    assertThat(QueueManager.health(q, Duration.ofHours(1)).healthy()).isTrue();
    // a backend that does not track consumers reports none (redis does: RedisHealthTest)
    assertThat(QueueManager.health(q, Duration.ofHours(1)).consumers()).isEmpty();
  }

  @Test
  void aCodecThrowingAnErrorDeadLettersThatItemAndSettlesItsBatchMates() {
    // A codec failing with an Error (a class it needs does not load) rather than an Exception: the
    // batch must still be settled, the item dead-lettered with the decoder's message like any
    // undecodable one, its batch-mate handled; nothing left in flight or counted held.
    FakeBaseQueue base = new FakeBaseQueue("codecerror");
    Codec<String> json = Codec.json(String.class);
    Codec<String> codec = new Codec<>() {
      @Override
      public byte[] encode(String item) {
        return json.encode(item);
      }

      @Override
      public String decode(byte[] bytes) throws Exception {
        String s = json.decode(bytes);
        if (s.equals("bad")) {
          throw new NoClassDefFoundError("com/example/MissingMoney");
        }
        return s;
      }
    };
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<String> dead = new java.util.concurrent.CopyOnWriteArrayList<>();
    DefaultWorkerPoolQueue<String> q = new DefaultWorkerPoolQueue<>(
        QueueSpec.simple(base.name(), String.class, items -> {
          seen.addAll(items);
          return List.<String>of();
        }).codec(codec).listener(new QueueListener<String>() {
          @Override
          public void onDeadLettered(ItemEvent<String> e) {
            dead.add(e.reason());
          }
        }),
        settings(s -> s.batchLength(2).batchDebounce(Duration.ofMinutes(1))), base,
        Clock.systemUTC(), scheduler, Duration.ofMillis(100), lane, () -> { });
    queues.add(q);
    q.start();
    q.pushAll(List.of("bad", "good"), WAIT);
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen).containsExactly("good");
    assertThat(dead).singleElement().asString().contains("MissingMoney");
    assertThat(base.inFlight()).isZero();
  }

  @Test
  void aStoppedSchedulerDoesNotStrandBatchesOfAQueueWithAHandlerTimeout() {
    // The service stopped the scheduler it lent the manager before shutting the queues down. The
    // handler timeout cannot be armed; that must not keep the batch from being handled and acked.
    FakeBaseQueue base = new FakeBaseQueue("stoppedscheduler");
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    DefaultWorkerPoolQueue<String> q = queue(base, settings(s -> s.batchLength(1)
        .handlerTimeout(Duration.ofMinutes(1))), items -> {
          seen.addAll(items);
          return List.of();
        });
    scheduler.shutdownNow();
    q.push("a");
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen).containsExactly("a");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void recoveredDeliveriesRunAloneAndOneAtATime() {
    FakeBaseQueue base = new FakeBaseQueue("recoveredalone");
    base.pushRecovered("\"r1\"", 1);
    base.pushRecovered("\"r2\"", 2);
    base.pushRecovered("\"r3\"", 1);
    base.pushRecovered("\"n1\"", 0);
    base.pushRecovered("\"n2\"", 0);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    List<List<String>> batches = new java.util.concurrent.CopyOnWriteArrayList<>();
    DefaultWorkerPoolQueue<String> q = queue(base, settings(b -> b.batchLength(5).maxWorkers(3)),
        items -> {
          boolean recovered = items.get(0).startsWith("r");
          if (recovered) {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
          }
          batches.add(List.copyOf(items));
          if (recovered) {
            running.decrementAndGet();
          }
          return List.of();
        });
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(batches.stream().flatMap(List::stream))
        .containsExactlyInAnyOrder("r1", "r2", "r3", "n1", "n2");
    assertThat(batches.stream().filter(b -> b.stream().anyMatch(i -> i.startsWith("r"))))
        .hasSize(3).allSatisfy(b -> assertThat(b).hasSize(1));
    assertThat(most.get()).isEqualTo(1);
    assertThat(q.stats().recovered()).isEqualTo(3);
  }

  @Test
  void recoveredDeliveriesRunOneAtATimePerProcessAcrossQueues() {
    // docs/DESIGN.md §4.3: if two queues ran recovered deliveries at once and one of them crashed the
    // process, both items would gain a recovery, and the innocent one could be quarantined.
    FakeBaseQueue baseA = new FakeBaseQueue("recoveredlanea");
    FakeBaseQueue baseB = new FakeBaseQueue("recoveredlaneb");
    baseA.pushRecovered("\"a\"", 1);
    baseB.pushRecovered("\"b\"", 1);
    CountDownLatch aRunning = new CountDownLatch(1);
    CountDownLatch aMayReturn = new CountDownLatch(1);
    CountDownLatch bRan = new CountDownLatch(1);
    AtomicBoolean bRanWhileA = new AtomicBoolean();
    DefaultWorkerPoolQueue<String> a = queue(baseA, settings(b -> b.batchLength(1)), items -> {
      aRunning.countDown();
      awaitQuietly(aMayReturn);
      return List.of();
    });
    awaitQuietly(aRunning);
    DefaultWorkerPoolQueue<String> b = queue(baseB, settings(s -> s.batchLength(1)), items -> {
      bRanWhileA.set(aMayReturn.getCount() > 0);
      bRan.countDown();
      return List.of();
    });
    // B claimed "b", found the lane taken and gave "b" back untouched, to wait for the lane
    await().atMost(WAIT).until(() -> baseB.handedOut() == 1 && baseB.unclaimed().size() == 1);
    assertThat(b.workersStarted()).as("B dispatched a recovered delivery while A ran one").isZero();
    assertThat(baseB.unclaimed().get(0).recoveryCount()).isEqualTo(1);
    aMayReturn.countDown();
    awaitQuietly(bRan);
    assertThat(bRan.getCount()).isZero();
    assertThat(bRanWhileA).isFalse();
    assertThat(a.flush(WAIT)).isTrue();
    assertThat(b.flush(WAIT)).isTrue();
  }

  @Test
  void aQueueShutDownWithARecoveredBatchWaitingFreesTheLaneForOthers() {
    // A's recovered batch waits for A's only worker, busy with an ordinary batch, when A shuts
    // down: shutdown gives it back, and B's recovered delivery must still get its turn.
    FakeBaseQueue baseA = new FakeBaseQueue("recoveredshutdowna");
    FakeBaseQueue baseB = new FakeBaseQueue("recoveredshutdownb");
    baseA.pushRecovered("\"ordinary\"", 0);
    CountDownLatch ordinaryRunning = new CountDownLatch(1);
    CountDownLatch bRan = new CountDownLatch(1);
    DefaultWorkerPoolQueue<String> a = queue(baseA, settings(s -> s.batchLength(2).maxWorkers(1)
        .shutdownTimeout(Duration.ZERO)), items -> {
          ordinaryRunning.countDown();
          new CountDownLatch(1).await(WAIT.toSeconds(), TimeUnit.SECONDS); // until interrupted
          return List.of();
        });
    awaitQuietly(ordinaryRunning);
    baseA.pushRecovered("\"recovered\"", 1);
    // claimed; the claim loop dispatches it (to wait for the busy worker) before it can stop
    await().atMost(WAIT).until(() -> baseA.handedOut() == 2);
    a.shutdown();
    assertThat(baseA.unclaimed()).hasSize(2);
    baseB.pushRecovered("\"b\"", 1);
    DefaultWorkerPoolQueue<String> b = queue(baseB, settings(s -> s.batchLength(1)), items -> {
      bRan.countDown();
      return List.of();
    });
    assertThat(b.flush(WAIT)).isTrue();
    assertThat(bRan.getCount()).isZero();
  }

  @Test
  void aStoreFailureGivingBackSurplusRecoveredDeliveriesStrandsNothing() {
    // One claim brings two recovered deliveries: the loop takes the lane for the first and gives
    // the second back before running the first. The store fails that give-back once (an outage):
    // neither delivery may be stranded, nor the lane kept, nor claiming stop.
    FakeBaseQueue base = new FakeBaseQueue("surplusoutage");
    base.pushRecovered("\"r1\"", 1);
    base.pushRecovered("\"r2\"", 1);
    base.failUnclaims(1);
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    DefaultWorkerPoolQueue<String> q = queue(base, settings(s -> s.batchLength(2)), items -> {
      seen.addAll(items);
      return List.of();
    });
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen).containsExactlyInAnyOrder("r1", "r2");
    FakeBaseQueue other = new FakeBaseQueue("surplusoutageother");
    other.pushRecovered("\"o\"", 1);
    DefaultWorkerPoolQueue<String> o = queue(other, settings(s -> s.batchLength(1)), items -> {
      seen.addAll(items);
      return List.of();
    });
    assertThat(o.flush(WAIT)).as("the lane is free for the manager's other queues").isTrue();
  }

  @Test
  void aRecoveredHandlerIgnoringInterruptsFreesTheLaneAndItsWorkerOnceTimedOut() {
    // A recovered delivery runs alone, holding the manager's recovered lane; its handler ignores
    // the HANDLER_TIMEOUT interrupt. Once the timeout has released it (back in the store, delivery
    // count + 1), the stuck thread must hold neither the lane (this queue's claiming, the other
    // queue's recovered item) nor the only worker's place (MAX_WORKERS=1); its late ack is stale.
    FakeBaseQueue base = new FakeBaseQueue("stuckrecovered");
    FakeBaseQueue other = new FakeBaseQueue("stuckrecoveredother");
    base.pushRecovered("\"r\"", 1);
    CountDownLatch stuck = new CountDownLatch(1);
    CountDownLatch unstick = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Integer> deliveryCounts = new java.util.concurrent.CopyOnWriteArrayList<>();
    DefaultWorkerPoolQueue<String> q = new DefaultWorkerPoolQueue<>(
        QueueSpec.simple(base.name(), String.class, items -> {
          if (calls.incrementAndGet() == 1) {
            stuck.countDown();
            awaitUninterruptibly(unstick);
          } else {
            seen.addAll(items);
          }
          return List.<String>of();
        }).listener(new QueueListener<String>() {
          @Override
          public void onRecovered(ItemEvent<String> e) {
            deliveryCounts.add(e.deliveryCount());
          }
        }),
        settings(s -> s.batchLength(1).maxWorkers(1).handlerTimeout(Duration.ofMillis(200))),
        base, Clock.systemUTC(), scheduler, Duration.ofMillis(100), lane, () -> { });
    queues.add(q);
    q.start();
    awaitQuietly(stuck);
    q.push("after");
    other.pushRecovered("\"o\"", 1);
    DefaultWorkerPoolQueue<String> o = queue(other, settings(s -> s.batchLength(1)), items -> {
      seen.addAll(items);
      return List.of();
    });
    try {
      assertThat(q.flush(WAIT)).as("the stuck handler still holds the queue").isTrue();
      assertThat(o.flush(WAIT)).as("the stuck handler still holds the lane").isTrue();
      assertThat(seen).containsExactlyInAnyOrder("r", "after", "o");
      assertThat(deliveryCounts).as("released by the timeout: delivery count + 1").containsExactly(0, 1);
      assertThat(q.workersStarted()).isEqualTo(2);
      assertThat(q.workers()).isEqualTo(1);
      assertThat(q.stats().stale()).isZero();
    } finally {
      unstick.countDown();
    }
    await().atMost(WAIT).until(() -> q.stats().stale() == 1);
    assertThat(q.stats().handled()).isEqualTo(2);
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void shutdownRetriesAGiveBackTheStoreFailsWithinShutdownTimeout() {
    // The store fails the first two unclaims of shutdown's give-back (an outage that ends): the
    // items must go back to the store, not stay in flight to gain a recovery at the next open.
    FakeBaseQueue base = new FakeBaseQueue("givebackretry");
    DefaultWorkerPoolQueue<String> q = queue(base,
        settings(b -> b.batchLength(10).batchDebounce(Duration.ofMinutes(1))), items -> List.of());
    for (int i = 0; i < 3; i++) {
      q.push("item" + i);
    }
    await().atMost(WAIT).until(() -> base.inFlight() == 3); // held in the debouncing batch
    base.failUnclaims(2);
    q.shutdown();
    assertThat(base.unclaimCalls()).isEqualTo(3);
    assertThat(base.unclaimed()).extracting(Delivery::id).containsExactly(1L, 2L, 3L);
    assertThat(base.inFlight()).isZero();
    assertThat(base.closed()).isTrue();
  }

  @Test
  void shutdownLeavesItemsInFlightOnlyOnceShutdownTimeoutRanOutGivingThemBack() {
    FakeBaseQueue base = new FakeBaseQueue("givebackgivesup");
    DefaultWorkerPoolQueue<String> q = queue(base, settings(b -> b.batchLength(10)
        .batchDebounce(Duration.ofMinutes(1)).shutdownTimeout(Duration.ZERO)), items -> List.of());
    for (int i = 0; i < 3; i++) {
      q.push("item" + i);
    }
    await().atMost(WAIT).until(() -> base.inFlight() == 3);
    base.failUnclaims(Integer.MAX_VALUE);
    q.shutdown();
    assertThat(base.unclaimCalls()).as("a first attempt and a last one").isGreaterThanOrEqualTo(2);
    assertThat(base.inFlight()).as("left for the store's recovery").isEqualTo(3);
    assertThat(base.closed()).isTrue();
  }

  @Test
  void aClaimThrowingAVirtualMachineErrorStopsTheQueueVisibly() {
    // The claim loop cannot go on after a VirtualMachineError; the queue must say so: pushes are
    // refused naming the queue and the cause, and health() reports it, instead of items piling up
    // that nothing will handle.
    FakeBaseQueue base = new FakeBaseQueue("claimvmerror");
    base.failClaims(1, () -> new OutOfMemoryError("fake: claim buffer"));
    DefaultWorkerPoolQueue<String> q = queue(base, settings(s -> s.batchLength(1)),
        items -> List.of());
    await().atMost(WAIT).until(() -> q.problem().isPresent());
    assertThatThrownBy(() -> q.push("refused"))
        .isInstanceOf(QueueUnavailableException.class)
        .hasMessageContaining("\"claimvmerror\"")
        .hasMessageContaining("OutOfMemoryError: fake: claim buffer")
        .hasCauseInstanceOf(OutOfMemoryError.class);
    assertThatThrownBy(() -> q.offer("refused")).isInstanceOf(QueueUnavailableException.class);
    assertThatThrownBy(() -> q.pushAll(List.of("refused"), WAIT))
        .isInstanceOf(QueueUnavailableException.class);
    assertThatThrownBy(() -> q.pushDelayed("refused", Duration.ZERO))
        .isInstanceOf(QueueUnavailableException.class);
    assertThat(base.len()).as("nothing accepted").isZero();
    QueueHealth.Queue health = QueueManager.health(q, Duration.ofHours(1));
    assertThat(health.healthy()).isFalse();
    assertThat(health.reachable()).isTrue();
    assertThat(health.problem()).get().asString().contains("stopped claiming", "OutOfMemoryError");
  }

  @Test
  void itemsWhoseWorkersCouldNotStartAreHandledOnceThreadsCanBeMadeWithNoPushAfter() {
    // A worker thread that cannot start (a JVM out of native threads) was once counted running
    // and idle: the batches dispatched to it waited for a worker that did not exist, none other
    // was started for them, and the queue wedged. Here no worker can start for a while and
    // nothing is pushed after: the claim loop's turns must try again until threads can be made.
    FakeBaseQueue base = new FakeBaseQueue("nothreads");
    RefusingThreads threads = new RefusingThreads(0);
    List<String> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
    DefaultWorkerPoolQueue<String> q = queue(base, settings(s -> s.batchLength(1).maxWorkers(2)),
        Duration.ofMillis(100), threads, items -> {
          handled.addAll(items);
          return List.of();
        });
    threads.refuse.set(Integer.MAX_VALUE); // the claim thread runs; no worker thread can start
    String log = WorkerGroupTest.logged(() -> {
      q.pushAll(List.of("a", "b", "c"), WAIT);
      // all three dispatched (the prefetch bound, 1 × (2 + 1)), and more starts tried than the
      // three dispatches made: the claim loop tries again on its own
      await().atMost(WAIT).until(() -> base.handedOut() == 3 && threads.refused.get() >= 5);
    });
    assertThat(q.workers()).as("no ghost worker counted").isZero();
    assertThat(q.activeWorkers()).isZero();
    assertThat(q.workersStarted()).isZero();
    assertThat(handled).isEmpty();
    assertThat(log).contains("ERROR").contains("queue \"nothreads\": could not start worker "
        + "thread queuekit-nothreads-worker-1").contains(RefusingThreads.OOM);
    assertThat(q.problem()).as("what health reports").hasValueSatisfying(p -> assertThat(p)
        .startsWith("queue \"nothreads\" cannot start a worker thread: ")
        .contains(RefusingThreads.OOM));

    threads.refuse.set(0);
    await().atMost(WAIT).until(() -> handled.size() == 3);
    assertThat(handled).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(q.problem()).as("once a worker started").isEmpty();
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(q.workers()).isBetween(1, 2);
  }

  @Test
  void aClaimThreadThatCannotStartShutsItsQueueDownAndSaysWhich() {
    // Started without its claim thread, the queue took pushes it would never handle.
    FakeBaseQueue base = new FakeBaseQueue("noclaimer");
    AtomicBoolean shutDown = new AtomicBoolean();
    DefaultWorkerPoolQueue<String> q = new DefaultWorkerPoolQueue<>(
        QueueSpec.simple(base.name(), String.class, items -> List.of()), settings(s -> s), base,
        Clock.systemUTC(), scheduler, Duration.ofMillis(100), lane, () -> shutDown.set(true),
        new RefusingThreads(1));
    assertThatThrownBy(q::start).isInstanceOf(QueueException.class)
        .hasMessageStartingWith("queue \"noclaimer\": its claim thread could not be started")
        .hasMessageContaining(RefusingThreads.OOM)
        .hasCauseInstanceOf(OutOfMemoryError.class);
    assertThat(shutDown).as("its manager told, which forgets it").isTrue();
    assertThat(base.closed()).isTrue();
    assertThatThrownBy(() -> q.push("never handled")).isInstanceOf(QueueClosedException.class);
  }
}
