package io.queuekit.level;

import static io.queuekit.level.Fixture.item;
import static io.queuekit.level.Fixture.str;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuekit.ItemTooLargeException;
import io.queuekit.PushResult;
import io.queuekit.QueueClosedException;
import io.queuekit.QueueFullException;
import io.queuekit.QueueInterruptedException;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** docs/DESIGN.md §3 on a real LevelDB: the operations, fencing, merging, LENGTH, time, close. */
class LevelQueueSemanticsTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @RegisterExtension final Fixture f = new Fixture();
  final List<BaseQueue> open = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    open.forEach(BaseQueue::close);
  }

  BaseQueue q(String name, boolean unique) {
    BaseQueue q = f.open(name, unique);
    open.add(q);
    return q;
  }

  BaseQueue q(String name, boolean unique, int length) {
    BaseQueue q = f.open(name, unique, b -> b.length(length));
    open.add(q);
    return q;
  }

  static List<String> payloads(List<Delivery> ds) {
    return ds.stream().map(d -> str(d.payload())).collect(Collectors.toList());
  }

  @Test
  void giteaBaseQueueStepsSimpleAndUnique() {
    for (boolean unique : new boolean[] {false, true}) {
      BaseQueue q = q("basic_" + unique, unique);
      assertThat(q.removeAll()).isZero();
      assertThat(q.push(item("foo"), LONG)).isEqualTo(PushResult.ADDED);
      assertThat(q.push(item("foo"), LONG))
          .isEqualTo(unique ? PushResult.DUPLICATE : PushResult.ADDED);
      assertThat(q.len()).isEqualTo(unique ? 1 : 2);
      assertThat(q.has("foo".getBytes())).isEqualTo(unique);
      q.push(item("bar"), LONG);
      List<String> got = payloads(q.claim(10, Duration.ZERO));
      assertThat(got).isEqualTo(unique ? List.of("foo", "bar") : List.of("foo", "foo", "bar"));
      assertThat(q.claim(1, Duration.ofMillis(10))).isEmpty();
      for (int i = 0; i < 10; i++) {
        assertThat(q.push(item("item-" + i), LONG)).isEqualTo(PushResult.ADDED);
      }
      assertThatThrownBy(() -> q.push(item("more"), Duration.ofMillis(10)))
          .isInstanceOf(QueueFullException.class)
          .hasMessageContaining("basic_" + unique).hasMessageContaining("10");
      assertThat(q.offer(item("more"))).isEqualTo(PushResult.FULL);
      assertThat(q.len()).isEqualTo(10);
      assertThat(q.removeAll()).isEqualTo(10);
      assertThat(q.len()).isZero();
    }
  }

  @Test
  void fencingMakesEverySecondSettleStale() {
    BaseQueue q = q("fence", false);
    q.push(item("a"), LONG);
    List<Delivery> d = q.claim(1, Duration.ZERO);
    assertThat(q.ack(d)).containsExactly(Outcome.DONE);
    assertThat(q.ack(d)).containsExactly(Outcome.STALE);
    assertThat(q.release(d.get(0), Duration.ZERO)).isEqualTo(Outcome.STALE);
    assertThat(q.deadLetter(d.get(0), "x")).isEqualTo(Outcome.STALE);
    assertThat(q.unclaim(d)).containsExactly(Outcome.STALE);

    q.push(item("b"), LONG);
    List<Delivery> first = q.claim(1, Duration.ZERO);
    assertThat(q.unclaim(first)).containsExactly(Outcome.DONE);
    List<Delivery> second = q.claim(1, Duration.ZERO);
    assertThat(second.get(0).id()).isNotEqualTo(first.get(0).id());
    assertThat(q.ack(first)).containsExactly(Outcome.STALE);
    assertThat(q.ack(second)).containsExactly(Outcome.DONE);

    q.push(item("c"), LONG);
    List<Delivery> third = q.claim(1, Duration.ZERO);
    q.removeAll();
    assertThat(q.ack(third)).as("removeAll leaves in-flight items alone")
        .containsExactly(Outcome.DONE);
    assertThat(q.stats().inFlight()).isZero();
  }

  @Test
  void unclaimReturnsToTheHeadInOrderAndKeepsCounts() {
    BaseQueue q = q("unclaim", false);
    for (String s : List.of("a", "b", "c", "d")) {
      q.push(item(s), LONG);
    }
    List<Delivery> ab = q.claim(2, Duration.ZERO);
    assertThat(q.release(q.claim(1, Duration.ZERO).get(0), Duration.ZERO))
        .isEqualTo(Outcome.DONE); // c to the tail, delivery count 1
    assertThat(q.unclaim(ab)).containsExactly(Outcome.DONE, Outcome.DONE);
    List<Delivery> all = q.claim(10, Duration.ZERO);
    assertThat(payloads(all)).containsExactly("a", "b", "d", "c");
    assertThat(all.stream().map(Delivery::deliveryCount)).containsExactly(0, 0, 0, 1);
    assertThat(all.get(0).firstPushed()).isEqualTo(f.clock.instant());
  }

  @Test
  void uniqueMergeKeepsPlaceAndTakesLargerCounts() {
    BaseQueue q = q("merge", true);
    q.push(item("x"), LONG);
    Delivery d = q.claim(1, Duration.ZERO).get(0);
    // Pushed again while in flight: allowed (Gitea's semantics).
    assertThat(q.push(item("x"), LONG)).isEqualTo(PushResult.ADDED);
    q.push(item("y"), LONG);
    assertThat(q.release(d, Duration.ZERO)).isEqualTo(Outcome.MERGED);
    assertThat(q.len()).isEqualTo(2);
    List<Delivery> got = q.claim(10, Duration.ZERO);
    assertThat(payloads(got)).containsExactly("x", "y");
    assertThat(got.get(0).deliveryCount()).as("merged copy takes the larger count").isEqualTo(1);

    // unclaim into a waiting copy merges too; the waiting copy keeps its place.
    q.push(item("x"), LONG);
    assertThat(q.unclaim(List.of(got.get(0)))).containsExactly(Outcome.MERGED);
    assertThat(q.unclaim(List.of(got.get(1)))).containsExactly(Outcome.DONE);
    assertThat(payloads(q.claim(10, Duration.ZERO))).containsExactly("y", "x");
  }

  @Test
  void pushAllChecksSizesFirstAndReportsDuplicatesInTheBatch() {
    BaseQueue q = f.open("many", true, b -> b.length(100).maxItemSize(8));
    open.add(q);
    assertThatThrownBy(() -> q.pushAll(List.of(item("ok"), item("far too large")), LONG))
        .isInstanceOf(ItemTooLargeException.class).hasMessageContaining("index 1")
        .hasMessageContaining("MAX_ITEM_SIZE=8");
    assertThat(q.len()).isZero();
    assertThat(q.pushAll(List.of(item("a"), item("b"), item("a")), LONG))
        .containsExactly(PushResult.ADDED, PushResult.ADDED, PushResult.DUPLICATE);
    assertThatThrownBy(() -> q.push(item("123456789"), LONG))
        .isInstanceOf(ItemTooLargeException.class);
  }

  @Test
  void pushAllOnTimeoutCarriesTheAdmittedResults() {
    BaseQueue q = q("partial", false, 3);
    List<Item> items = List.of(item("1"), item("2"), item("3"), item("4"), item("5"));
    assertThatThrownBy(() -> q.pushAll(items, Duration.ofMillis(20)))
        .isInstanceOfSatisfying(QueueFullException.class, e -> assertThat(e.results())
            .containsExactly(PushResult.ADDED, PushResult.ADDED, PushResult.ADDED));
    assertThat(q.len()).isEqualTo(3);
  }

  @Test
  void pushAllWaitsForRoomBetweenItems() throws Exception {
    BaseQueue q = q("roomy", false, 2);
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try {
      Future<List<PushResult>> all = ex.submit(() -> q.pushAll(
          List.of(item("1"), item("2"), item("3"), item("4")), LONG));
      await().atMost(LONG).until(() -> q.len() == 2);
      List<Delivery> taken = new ArrayList<>();
      while (taken.size() < 4) {
        taken.addAll(q.claim(1, LONG)); // each claim frees room for the waiting producer
      }
      assertThat(all.get(30, TimeUnit.SECONDS)).hasSize(4).containsOnly(PushResult.ADDED);
      assertThat(payloads(taken)).containsExactly("1", "2", "3", "4");
    } finally {
      ex.shutdownNow();
    }
  }

  @Test
  void lengthIsExactUnderRacingProducers() throws Exception {
    int length = 50;
    BaseQueue q = q("race", false, length);
    ExecutorService ex = Executors.newFixedThreadPool(8);
    AtomicInteger added = new AtomicInteger();
    AtomicInteger full = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> fs = new ArrayList<>();
    for (int p = 0; p < 8; p++) {
      int producer = p;
      fs.add(ex.submit(() -> {
        go.await();
        for (int i = 0; i < 2 * length / 8 + 1; i++) {
          PushResult r = q.offer(item(producer + "-" + i));
          (r == PushResult.ADDED ? added : full).incrementAndGet();
        }
        return null;
      }));
    }
    go.countDown();
    for (Future<?> fu : fs) {
      fu.get(30, TimeUnit.SECONDS);
    }
    ex.shutdown();
    assertThat(added.get()).isEqualTo(length);
    assertThat(q.len()).isEqualTo(length);
    assertThat(full.get()).isEqualTo(8 * (2 * length / 8 + 1) - length);
  }

  @Test
  void waitingProducerIsWokenByClaimAckAndRemoveAll() throws Exception {
    BaseQueue q = q("wake", false, 1);
    q.push(item("first"), LONG);
    CompletableFuture<PushResult> p1 = CompletableFuture.supplyAsync(
        () -> q.push(item("second"), LONG));
    await().atMost(LONG).until(() -> ((LevelQueue) q).roomWaiters() == 1);
    List<Delivery> d = q.claim(1, Duration.ZERO);
    assertThat(p1.get(30, TimeUnit.SECONDS)).isEqualTo(PushResult.ADDED);
    CompletableFuture<PushResult> p2 = CompletableFuture.supplyAsync(
        () -> q.push(item("third"), LONG));
    await().atMost(LONG).until(() -> ((LevelQueue) q).roomWaiters() == 1);
    assertThat(q.removeAll()).isEqualTo(1);
    assertThat(p2.get(30, TimeUnit.SECONDS)).isEqualTo(PushResult.ADDED);
    assertThat(q.ack(d)).containsExactly(Outcome.DONE);
    assertThat(payloads(q.claim(5, Duration.ZERO))).containsExactly("third");
  }

  @Test
  void blockedClaimIsWokenByPush() throws Exception {
    BaseQueue q = q("wakeclaim", false);
    CompletableFuture<List<Delivery>> c = CompletableFuture.supplyAsync(
        () -> q.claim(5, LONG));
    for (int i = 0; i < 3; i++) {
      q.push(item("wake-" + i), LONG);
      List<String> got = i == 0 ? payloads(c.get(30, TimeUnit.SECONDS))
          : payloads(q.claim(5, LONG));
      assertThat(got).containsExactly("wake-" + i);
    }
  }

  @Test
  void delayedItemsBecomeReadyByTheQueueClock() throws Exception {
    BaseQueue q = q("delay", false);
    q.push(item("later"), Duration.ofMinutes(5), LONG);
    q.push(item("soon"), Duration.ofMinutes(1), LONG);
    q.push(item("now"), LONG);
    assertThat(q.stats()).extracting(StoreStats::ready, StoreStats::delayed)
        .containsExactly(1L, 2L);
    assertThat(payloads(q.claim(10, Duration.ZERO))).containsExactly("now");
    // "soon" is due in 100 ms of the queue's clock: a blocked claimer bounds each wait by that.
    f.clock.advance(Duration.ofSeconds(59).plusMillis(900));
    CompletableFuture<List<Delivery>> waiter = CompletableFuture.supplyAsync(
        () -> q.claim(10, LONG));
    // Advance only once the waiter is blocked: before, its first claim would take the items at
    // once and prove nothing; the race made this test take its full 30 s wait now and then.
    await().atMost(LONG).until(() -> ((LevelQueue) q).itemWaiters() == 1);
    f.clock.advance(Duration.ofMinutes(10));
    // The waiter bounded its wait by the earliest due time, so it notices the clock.
    assertThat(payloads(waiter.get(30, TimeUnit.SECONDS))).containsExactly("soon", "later");
  }

  @Test
  void releaseWithDelayIsDurableAndCountsTheDelivery() {
    BaseQueue q = q("retry", false);
    q.push(item("r"), LONG);
    Delivery d = q.claim(1, Duration.ZERO).get(0);
    assertThat(q.release(d, Duration.ofSeconds(30))).isEqualTo(Outcome.DONE);
    assertThat(q.claim(1, Duration.ZERO)).isEmpty();
    q.close();
    open.remove(q);
    BaseQueue again = q("retry", false);
    assertThat(again.stats().delayed()).isEqualTo(1);
    f.clock.advance(Duration.ofSeconds(30));
    Delivery d2 = again.claim(1, Duration.ZERO).get(0);
    assertThat(d2.deliveryCount()).isEqualTo(1);
    assertThat(d2.recoveryCount()).isZero();
  }

  @Test
  void deadLettersListNewestFirstReplayWithCountsResetAndPurge() {
    BaseQueue q = q("dead", true);
    for (String s : List.of("a", "b", "c")) {
      q.push(item(s), LONG);
    }
    List<Delivery> ds = q.claim(3, Duration.ZERO);
    Delivery a = ds.get(0);
    q.release(a, Duration.ZERO);
    Delivery a2 = q.claim(1, Duration.ZERO).get(0);
    assertThat(q.deadLetter(a2, "bad a")).isEqualTo(Outcome.DONE);
    assertThat(q.deadLetter(ds.get(1), "bad b")).isEqualTo(Outcome.DONE);
    assertThat(q.deadLetter(ds.get(2), "bad c")).isEqualTo(Outcome.DONE);
    List<DeadLetter> dead = q.listDead(0, 10);
    assertThat(dead).extracting(DeadLetter::reason).containsExactly("bad c", "bad b", "bad a");
    assertThat(dead.get(2).deliveryCount()).isEqualTo(1);
    assertThat(q.listDead(1, 1)).extracting(DeadLetter::reason).containsExactly("bad b");
    assertThat(q.stats().dead()).isEqualTo(3);

    assertThat(q.replayDead(List.of(dead.get(2).id(), 999_999L))).isEqualTo(1);
    Delivery back = q.claim(1, Duration.ZERO).get(0);
    assertThat(str(back.payload())).isEqualTo("a");
    assertThat(back.deliveryCount()).isZero();
    assertThat(q.purgeDead(List.of(dead.get(0).id()))).isEqualTo(1);
    assertThat(q.listDead(0, 10)).extracting(DeadLetter::reason).containsExactly("bad b");
    q.push(item("b"), LONG);
    assertThat(q.replayAllDead()).as("merged into the waiting b").isEqualTo(1);
    assertThat(q.len()).isEqualTo(1);
    assertThat(q.purgeAllDead()).isZero();
    assertThat(q.stats().dead()).isZero();
  }

  @Test
  void deadLetterStoreIsCappedAndCountsDrops() {
    BaseQueue q = f.open("cap", false, b -> b.deadLetterLength(2));
    open.add(q);
    for (int i = 0; i < 4; i++) {
      q.push(item("d" + i), LONG);
    }
    for (Delivery d : q.claim(4, Duration.ZERO)) {
      q.deadLetter(d, "reason " + str(d.payload()));
    }
    assertThat(q.listDead(0, 10)).extracting(DeadLetter::reason)
        .containsExactly("reason d3", "reason d2");
    assertThat(q.stats().dead()).isEqualTo(2);
    assertThat(q.stats().deadDropped()).isEqualTo(2);
  }

  @Test
  void statsReportOldestWaitingByFirstPushedTime() {
    BaseQueue q = q("stats", false);
    assertThat(q.stats().oldestWaiting()).isEmpty();
    q.push(item("old"), LONG);
    java.time.Instant t0 = f.clock.instant();
    f.clock.advance(Duration.ofMinutes(1));
    q.push(item("new"), LONG);
    Delivery old = q.claim(1, Duration.ZERO).get(0);
    assertThat(q.stats().oldestWaiting()).contains(t0.plus(Duration.ofMinutes(1)));
    q.release(old, Duration.ZERO); // back at the tail, but still the oldest
    assertThat(q.stats().oldestWaiting()).contains(t0);
    assertThat(q.stats()).extracting(StoreStats::ready, StoreStats::inFlight)
        .containsExactly(2L, 0L);
  }

  @Test
  void interruptedClaimThrowsRestoresTheFlagAndClaimsNothing() {
    BaseQueue q = q("interrupt", false);
    q.push(item("kept"), LONG);
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> q.claim(1, Duration.ZERO))
          .isInstanceOf(QueueInterruptedException.class);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(q.stats().ready()).isEqualTo(1);

    CompletableFuture<Thread> blocked = new CompletableFuture<>();
    CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
      BaseQueue empty = q("interrupt2", false);
      blocked.complete(Thread.currentThread());
      try {
        empty.claim(1, LONG);
        return null;
      } catch (QueueInterruptedException e) {
        return Thread.currentThread().isInterrupted() ? e : new AssertionError("flag lost");
      }
    });
    Thread t = blocked.join();
    await().atMost(LONG).until(() -> open.size() == 2
        && ((LevelQueue) open.get(1)).itemWaiters() == 1);
    t.interrupt();
    assertThat(outcome.join()).isInstanceOf(QueueInterruptedException.class);
  }

  @Test
  void closeWakesBlockedCallsAndLaterCallsThrow() throws Exception {
    BaseQueue q = f.open("closing", false, b -> b.length(1));
    q.push(item("fill"), LONG);
    CompletableFuture<List<Delivery>> claimer = new CompletableFuture<>();
    CompletableFuture<Throwable> pusher = new CompletableFuture<>();
    BaseQueue other = q("closing_other", false);
    Thread c = new Thread(() -> claimer.complete(other.claim(1, LONG)));
    Thread p = new Thread(() -> {
      try {
        q.push(item("blocked"), LONG);
        pusher.complete(null);
      } catch (RuntimeException e) {
        pusher.complete(e);
      }
    });
    c.start();
    p.start();
    await().atMost(LONG).until(() -> ((LevelQueue) q).roomWaiters() == 1
        && ((LevelQueue) other).itemWaiters() == 1);
    q.close();
    assertThat(pusher.get(30, TimeUnit.SECONDS)).isInstanceOf(QueueClosedException.class);
    other.close();
    assertThat(claimer.get(30, TimeUnit.SECONDS)).isEmpty();
    q.close(); // idempotent
    assertThatThrownBy(q::len).isInstanceOf(QueueClosedException.class)
        .hasMessageContaining("closing");
    assertThatThrownBy(() -> q.push(item("x"), LONG)).isInstanceOf(QueueClosedException.class);
    // Everything stored is still there.
    BaseQueue reopened = q("closing", false);
    assertThat(reopened.len()).isEqualTo(1);
  }
}
