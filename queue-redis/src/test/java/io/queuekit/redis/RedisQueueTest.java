package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuekit.PushResult;
import io.queuekit.QueueClosedException;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueFullException;
import io.queuekit.QueueInterruptedException;
import io.queuekit.QueueSettings;
import io.queuekit.conformance.CapturedErr;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreStats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Redis backend's own behaviour on a real standalone server, beyond the shared suites. */
class RedisQueueTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static final Duration WAIT = Duration.ofSeconds(30);
  @RegisterExtension
  final Queues queues = Queues.on(redis);

  @Test
  void fifoAcrossInstancesWithLayoutKeys() {
    String name = Queues.uniqueName("fifo");
    RedisQueue a = queues.open(name, false);
    RedisQueue b = queues.open(name, false);
    for (int i = 0; i < 5; i++) {
      assertThat(a.push(item("i" + i), WAIT)).isEqualTo(PushResult.ADDED);
    }
    assertThat(b.len()).isEqualTo(5);
    assertThat(payloads(b.claim(3, WAIT))).containsExactly("i0", "i1", "i2");
    assertThat(payloads(a.claim(10, WAIT))).containsExactly("i3", "i4");
    try (Resp r = redis.server().client()) {
      assertThat(r.call("TYPE", "{" + name + "_queue}:ready")).isIn("list", "none");
      assertThat(r.call("HGET", "{" + name + "_queue}:meta", "version"))
          .isEqualTo(Integer.toString(RedisLayout.LAYOUT_VERSION));
      assertThat(r.call("HGET", "{" + name + "_queue}:meta", "flavour")).isEqualTo("simple");
      // one claim of three: one field
      assertThat(r.integer("HLEN", "{" + name + "_queue}:inflight:" + b.consumerId())).isEqualTo(1);
      assertThat(InFlight.count(r, "{" + name + "_queue}:inflight:" + b.consumerId())).isEqualTo(3);
      assertThat(r.integer("EXISTS", "{" + name + "_queue}:heartbeat:" + a.consumerId())).isEqualTo(1);
    }
    StoreStats s = a.stats();
    assertThat(s.inFlight()).isEqualTo(5);
    assertThat(s.waiting()).isZero();
  }

  @Test
  void uniqueMergeKeepsLargerCountsAndInvariantHolds() {
    String name = Queues.uniqueName("uniq");
    RedisQueue q = queues.open(name, true);
    assertThat(q.push(item("x"), WAIT)).isEqualTo(PushResult.ADDED);
    Delivery d = q.claim(1, WAIT).get(0);
    assertThat(q.has(bytes("x"))).isFalse();
    // pushed again while the first copy is in flight: a new waiting copy
    assertThat(q.push(item("x"), WAIT)).isEqualTo(PushResult.ADDED);
    // releasing the first copy merges into the waiting one, which takes delivery count 1
    assertThat(q.release(d, Duration.ZERO)).isEqualTo(Outcome.MERGED);
    Delivery again = q.claim(1, WAIT).get(0);
    assertThat(again.deliveryCount()).isEqualTo(1);
    assertThat(q.unclaim(List.of(again))).containsExactly(Outcome.DONE);
    assertThat(q.pushAll(List.of(item("y"), item("y"), item("x")), WAIT))
        .containsExactly(PushResult.ADDED, PushResult.DUPLICATE, PushResult.DUPLICATE);
    try (Resp r = redis.server().client()) {
      String t = "{" + name + "_queue}";
      long ready = r.integer("LLEN", t + ":ready");
      long delayed = r.integer("ZCARD", t + ":delayed");
      assertThat(ready + delayed).isEqualTo(r.integer("HLEN", t + "_unique")).isEqualTo(2);
    }
  }

  @Test
  void lengthHoldsAcrossInstancesUnderRacingProducers() throws Exception {
    String name = Queues.uniqueName("length");
    int length = 50;
    RedisQueue a = queues.open(name, false, queues.settings().length(length).build());
    RedisQueue b = queues.open(name, false, queues.settings().length(length).build());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicInteger added = new AtomicInteger();
    AtomicInteger full = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<Void>> fs = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      RedisQueue q = t % 2 == 0 ? a : b;
      int base = t * 1000;
      fs.add(CompletableFuture.runAsync(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        for (int i = 0; i < 2 * length / 8 + 1; i++) {
          PushResult r = q.offer(item("p" + (base + i)));
          (r == PushResult.ADDED ? added : full).incrementAndGet();
        }
      }, pool));
    }
    go.countDown();
    CompletableFuture.allOf(fs.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
    pool.shutdown();
    assertThat(added.get()).isEqualTo(length);
    assertThat(full.get()).isEqualTo(8 * (2 * length / 8 + 1) - length);
    assertThat(a.len()).isEqualTo(length);
    assertThatThrownBy(() -> a.push(item("late"), Duration.ofMillis(200)))
        .isInstanceOf(QueueFullException.class).hasMessageContaining(name);
  }

  @Test
  void producerWaitingForRoomIsWokenByAClaimInAnotherInstance() throws Exception {
    String name = Queues.uniqueName("room");
    RedisQueue producer = queues.open(name, false, queues.settings().length(1).build());
    RedisQueue consumer = queues.open(name, false, queues.settings().length(1).build());
    producer.push(item("first"), WAIT);
    CompletableFuture<PushResult> waiting =
        CompletableFuture.supplyAsync(() -> producer.push(item("second"), WAIT));
    await().atMost(WAIT).until(() -> {
      try (Resp r = redis.server().client()) {
        return "1".equals(r.call("HGET", "{" + name + "_queue}:meta", "full"));
      }
    });
    assertThat(waiting).isNotDone();
    assertThat(payloads(consumer.claim(1, WAIT))).containsExactly("first");
    assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo(PushResult.ADDED);
    assertThat(payloads(consumer.claim(1, WAIT))).containsExactly("second");
  }

  @Test
  void pushWakesAClaimBlockedInAnotherInstance() throws Exception {
    String name = Queues.uniqueName("wake");
    RedisQueue consumer = queues.open(name, false);
    RedisQueue producer = queues.open(name, false);
    consumer.claim(1, Duration.ZERO);  // registers the consumer as a waiter
    CompletableFuture<List<Delivery>> blocked =
        CompletableFuture.supplyAsync(() -> consumer.claim(1, Duration.ofSeconds(60)));
    await().atMost(WAIT).until(() -> {
      try (Resp r = redis.server().client()) {
        return String.valueOf(r.call("CLIENT", "LIST")).contains("cmd=blpop");
      }
    });
    producer.push(item("hello"), WAIT);
    assertThat(payloads(blocked.get(30, TimeUnit.SECONDS))).containsExactly("hello");
  }

  @Test
  void delayedReleaseFollowsTheInjectedClock() {
    RedisQueue q = queues.open(Queues.uniqueName("delay"), false);
    q.push(item("d"), WAIT);
    Delivery d = q.claim(1, WAIT).get(0);
    assertThat(q.release(d, Duration.ofMinutes(5))).isEqualTo(Outcome.DONE);
    assertThat(q.stats().delayed()).isEqualTo(1);
    assertThat(q.claim(1, Duration.ofMillis(50))).isEmpty();
    queues.clock.advance(Duration.ofMinutes(5));
    Delivery again = q.claim(1, WAIT).get(0);
    assertThat(again.deliveryCount()).isEqualTo(1);
    assertThat(again.firstPushed()).isEqualTo(d.firstPushed());
    assertThat(q.release(d, Duration.ZERO)).isEqualTo(Outcome.STALE);
  }

  @Test
  void unclaimGoesBackToTheHeadInOrder() {
    RedisQueue q = queues.open(Queues.uniqueName("unclaim"), false);
    q.pushAll(List.of(item("a"), item("b"), item("c")), WAIT);
    List<Delivery> two = q.claim(2, WAIT);
    assertThat(q.unclaim(two)).containsExactly(Outcome.DONE, Outcome.DONE);
    List<Delivery> all = q.claim(3, WAIT);
    assertThat(payloads(all)).containsExactly("a", "b", "c");
    assertThat(all).allSatisfy(d -> assertThat(d.deliveryCount()).isZero());
    assertThat(q.ack(two)).containsExactly(Outcome.STALE, Outcome.STALE);
  }

  @Test
  void deadLettersListReplayPurgeAndCap() {
    String name = Queues.uniqueName("dead");
    RedisQueue q = queues.open(name, false, queues.settings().deadLetterLength(2).build());
    q.pushAll(List.of(item("a"), item("b"), item("c")), WAIT);
    for (Delivery d : q.claim(3, WAIT)) {
      assertThat(q.deadLetter(d, "bad " + payload(d))).isEqualTo(Outcome.DONE);
    }
    StoreStats s = q.stats();
    assertThat(s.dead()).isEqualTo(2);
    assertThat(s.deadDropped()).isEqualTo(1);
    List<DeadLetter> dead = q.listDead(0, 10);
    assertThat(dead).extracting(DeadLetter::reason).containsExactly("bad c", "bad b");
    assertThat(q.replayDead(List.of(dead.get(1).id()))).isEqualTo(1);
    assertThat(payloads(q.claim(5, WAIT))).containsExactly("b");
    assertThat(q.purgeAllDead()).isEqualTo(1);
    assertThat(q.listDead(0, 10)).isEmpty();
  }

  @Test
  void removeAllLeavesInFlightItemsSettleable() {
    RedisQueue q = queues.open(Queues.uniqueName("removeall"), true);
    q.pushAll(List.of(item("a"), item("b"), item("c")), WAIT);
    List<Delivery> one = q.claim(1, WAIT);
    assertThat(q.removeAll()).isEqualTo(2);
    assertThat(q.has(bytes("b"))).isFalse();
    assertThat(q.len()).isZero();
    assertThat(q.ack(one)).containsExactly(Outcome.DONE);
  }

  /**
   * An ack of a whole claim is one HDEL of its field (one script-to-Redis call per ack, not per
   * item); a claim exploded into one field per entry (as a settle of part of it leaves it) is
   * settled per id, and each answer is exact: an entry another program removed is stale, the
   * rest done, and the stranger's entry is left for the sweep.
   */
  @Test
  void anAckOfAWholeClaimIsOneDeleteAndAnExplodedOneAnswersPerId()
      throws Exception {
    String name = Queues.uniqueName("ackbulk");
    RedisQueue q = queues.open(name, false);
    q.pushAll(List.of(item("a"), item("b"), item("c"), item("d"), item("e")), WAIT);
    List<Delivery> three = q.claim(3, WAIT);
    String inflight = "{" + name + "_queue}:inflight:" + q.consumerId();
    try (Resp r = redis.server().client();
        RedisIdleCostTest.Monitor mon = new RedisIdleCostTest.Monitor(redis.server().port(),
            true)) {
      assertThat(q.ack(three)).containsExactly(Outcome.DONE, Outcome.DONE, Outcome.DONE);
      assertThat(mon.allThrough(r).stream().filter(l -> l.toLowerCase().contains("\"hdel\"")).count())
          .as("HDELs of one ack").isEqualTo(1);

      List<Delivery> two = q.claim(2, WAIT);
      // the claim exploded (as a settle of part of it does), d's entry swapped for another
      // program's: the answers are per id, and exact
      InFlight.explode(r, inflight);
      assertThat(r.integer("HDEL", inflight, Long.toString(two.get(0).id()))).isEqualTo(1);
      r.call("HSET", inflight, "999999999", "another program's entry");
      assertThat(q.ack(two)).containsExactly(Outcome.STALE, Outcome.DONE);
      assertThat(r.strings("HKEYS", inflight)).containsExactly("999999999");
    }
  }

  /**
   * While a claim's reply is on its way, the consumer's in-flight hash holds more entries than
   * the client holds (the claim's, whose ids it does not know yet): an ack of what it holds is
   * still one bulk HDEL, not one per delivery, and leaves the other claim's entries alone.
   */
  @Test
  void anAckWhileAnotherClaimsEntriesAreInFlightIsStillOneBulkDelete() throws Exception {
    String name = Queues.uniqueName("ackmore");
    RedisQueue q = queues.open(name, false);
    // one by one: a claim of a pack also deletes its pack (PackTest)
    Queues.pushEach(q, "a", "b", "c");
    List<Delivery> three = q.claim(3, WAIT);
    String inflight = "{" + name + "_queue}:inflight:" + q.consumerId();
    try (Resp r = redis.server().client();
        RedisIdleCostTest.Monitor mon = new RedisIdleCostTest.Monitor(redis.server().port(),
            true)) {
      // an entry this client does not hold yet, as a claim whose reply has not been read leaves
      r.call("HSET", inflight, "999999999", "0:0:1:" + ":" + "x");
      assertThat(q.ack(three)).containsExactly(Outcome.DONE, Outcome.DONE, Outcome.DONE);
      assertThat(mon.allThrough(r).stream().filter(l -> l.toLowerCase().contains("\"hdel\"")).count())
          .as("HDELs of one ack of three").isEqualTo(1);
      assertThat(r.strings("HKEYS", inflight)).containsExactly("999999999");
    }
  }

  @Test
  void anAckBatchSettlesEachDeliveryOnceAndTellsStaleOnesApart() {
    String name = Queues.uniqueName("ackbatch");
    RedisQueue q = queues.open(name, false);
    q.pushAll(List.of(item("a"), item("b"), item("c"), item("d")), WAIT);
    List<Delivery> got = q.claim(4, WAIT);
    assertThat(payloads(got)).containsExactly("a", "b", "c", "d");
    String inflight = "{" + name + "_queue}:inflight:" + q.consumerId();
    try (Resp r = redis.server().client()) {
      // b's entry gone from the store while this instance still holds it (as after a sweep,
      // which explodes the claim's field into one per entry first)
      InFlight.explode(r, inflight);
      assertThat(r.integer("HDEL", inflight, Long.toString(got.get(1).id()))).isEqualTo(1);
      assertThat(q.ack(List.of(got.get(0), got.get(1), got.get(0), got.get(2))))
          .containsExactly(Outcome.DONE, Outcome.STALE, Outcome.STALE, Outcome.DONE);
      assertThat(r.integer("HLEN", inflight)).isEqualTo(1);
      assertThat(q.ack(List.of(got.get(3)))).containsExactly(Outcome.DONE);
      assertThat(r.integer("HLEN", inflight)).isZero();
    }
    assertThat(q.stats().inFlight()).isZero();
  }

  @Test
  void aClaimLeavingItemsReadyTopsUpWakeTokensUpToTheWaiters() {
    String name = Queues.uniqueName("topup");
    // no beat within the test (its first comes a period, 20 s, after the open): every token
    // counted is the push's or the claim's
    QueueSettings quiet = queues.settings().consumerTimeout(Duration.ofSeconds(60)).build();
    RedisQueue a = queues.open(name, false, quiet);
    RedisQueue b = queues.open(name, false, quiet);
    // both register: two waiters
    assertThat(a.claim(1, Duration.ZERO)).isEmpty();
    assertThat(b.claim(1, Duration.ZERO)).isEmpty();
    String wake = "{" + name + "_queue}:wake";
    try (Resp r = redis.server().client()) {
      a.pushAll(List.of(item("1"), item("2"), item("3"), item("4"), item("5")), WAIT);
      assertThat(r.integer("LLEN", wake)).isEqualTo(2);
      r.call("DEL", wake);
      // a full batch leaves 3 ready: tokens for them, capped at the 2 waiters
      assertThat(payloads(a.claim(2, Duration.ZERO))).containsExactly("1", "2");
      assertThat(r.integer("LLEN", wake)).isEqualTo(2);
      r.call("DEL", wake);
      // a claim that takes less than it asked for took the whole list: nothing to wake for
      assertThat(payloads(a.claim(10, Duration.ZERO))).containsExactly("3", "4", "5");
      assertThat(r.integer("LLEN", wake)).isZero();
    }
  }

  @Test
  void killedConsumersItemsAreRecoveredToTheHeadAndItsAcksAreStale() {
    String name = Queues.uniqueName("recover");
    RedisQueue dying = queues.open(name, false, queues.settings().maxRecoveries(2).build());
    dying.pushAll(List.of(item("a"), item("b"), item("c")), WAIT);
    List<Delivery> held = dying.claim(2, WAIT);
    dying.crashAndReap();
    RedisQueue next = queues.open(name, false, queues.settings().maxRecoveries(2).build());
    // one recovered item per claim, then the rest in one batch
    List<Delivery> back = new ArrayList<>();
    for (int claims = 0; claims < 3; claims++) {
      back.addAll(next.claim(3 - back.size(), WAIT));
    }
    assertThat(payloads(back)).containsExactly("a", "b", "c");
    assertThat(back.subList(0, 2)).allSatisfy(d -> assertThat(d.recoveryCount()).isEqualTo(1));
    assertThat(back.get(2).recoveryCount()).isZero();
    // the second crash while in flight reaches MAX_RECOVERIES=2: quarantined as poison
    next.crashAndReap();
    RedisQueue third = queues.open(name, false, queues.settings().maxRecoveries(2).build());
    List<Delivery> left = third.claim(3, Duration.ofMillis(100));
    assertThat(payloads(left)).containsExactly("c");
    assertThat(left.get(0).recoveryCount()).isEqualTo(1);
    assertThat(third.listDead(0, 10)).hasSize(2)
        .allSatisfy(dl -> assertThat(dl.reason()).contains("MAX_RECOVERIES=2"));
    assertThat(held).hasSize(2);
  }

  @Test
  void aConsumerReapedWhileAliveIsFencedAndRegistersAgain() {
    String name = Queues.uniqueName("fenced");
    RedisQueue slow = queues.open(name, false);
    RedisQueue other = queues.open(name, false);
    slow.push(item("a"), WAIT);
    List<Delivery> held = slow.claim(1, WAIT);
    String oldId = slow.consumerId();
    other.claim(1, Duration.ZERO);
    try (Resp r = redis.server().client()) {
      // as if slow paused longer than CONSUMER_TIMEOUT
      r.call("DEL", "{" + name + "_queue}:heartbeat:" + oldId);
    }
    other.reapNow(other.consumerId());
    // the heartbeat finds the consumer reaped: fenced, registers again under a new id
    await().atMost(WAIT).until(() -> slow.consumerId() == null || !oldId.equals(slow.consumerId()));
    assertThat(slow.ack(held)).containsExactly(Outcome.STALE);
    Delivery recovered = other.claim(1, WAIT).get(0);
    assertThat(recovered.recoveryCount()).isEqualTo(1);
    assertThat(other.ack(List.of(recovered))).containsExactly(Outcome.DONE);
    slow.push(item("b"), WAIT);
    assertThat(payloads(slow.claim(1, WAIT))).containsExactly("b");
    assertThat(slow.consumerId()).isNotEqualTo(oldId);
  }

  @Test
  void orphanedInFlightEntriesGoBackToTheHead() {
    String name = Queues.uniqueName("orphan");
    RedisQueue q = queues.open(name, false);
    q.pushAll(List.of(item("a"), item("b")), WAIT);
    List<Delivery> a = q.claim(1, Duration.ZERO);
    try (Resp r = redis.server().client()) {
      // a claim whose reply never arrived: the entry is in flight under our id, held by nobody
      String t = "{" + name + "_queue}";
      r.call("HSET", t + ":inflight:" + q.consumerId(), "999999", "0:0:5:" + ":" + "lost");
    }
    await().atMost(WAIT).until(() -> q.stats().inFlight() == 1);
    List<Delivery> back = q.claim(5, WAIT);
    assertThat(payloads(back)).containsExactly("lost", "b");
    assertThat(q.ack(a)).containsExactly(Outcome.DONE);
    assertThat(back).allSatisfy(d -> assertThat(d.recoveryCount()).isZero());
  }

  @Test
  void closeWakesBlockedClaimAndPush() throws Exception {
    String name = Queues.uniqueName("close");
    RedisQueue q = queues.open(name, false, queues.settings().length(1).build());
    q.push(item("fill"), WAIT);
    RedisQueue c = queues.open(name + "x", false);
    CompletableFuture<List<Delivery>> claim =
        CompletableFuture.supplyAsync(() -> c.claim(1, Duration.ofSeconds(60)));
    CompletableFuture<PushResult> push =
        CompletableFuture.supplyAsync(() -> q.push(item("more"), Duration.ofSeconds(60)));
    await().atMost(WAIT).until(() -> {
      try (Resp r = redis.server().client()) {
        return "1".equals(r.call("HGET", "{" + name + "_queue}:meta", "full"))
            && String.valueOf(r.call("CLIENT", "LIST")).contains("cmd=blpop");
      }
    });
    c.close();
    q.close();
    assertThat(claim.get(30, TimeUnit.SECONDS)).isEmpty();
    assertThatThrownBy(() -> push.get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(QueueClosedException.class);
    assertThatThrownBy(() -> q.len()).isInstanceOf(QueueClosedException.class);
  }

  @Test
  void interruptedClaimThrowsAndItsBlockingCommandServesTheNextWait() throws Exception {
    String name = Queues.uniqueName("interrupt");
    RedisQueue q = queues.open(name, false);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        q.claim(1, Duration.ofSeconds(60));
      } catch (Throwable e) {
        thrown.set(e);
      }
    });
    t.start();
    await().atMost(WAIT).until(() -> blpops() == 1);
    t.interrupt();
    t.join(30_000);
    assertThat(thrown.get()).isInstanceOf(QueueInterruptedException.class);
    // the long BLPOP stays blocked in Redis: a wake token it takes with no wait attached is
    // pushed back for the next one, not dropped
    assertThat(blpops()).isEqualTo(1);
    q.push(item("after"), WAIT);
    assertThat(payloads(q.claim(1, WAIT))).containsExactly("after");
    q.close();
    // closing the queue closes the blocking connection
    await().pollDelay(Duration.ZERO).atMost(WAIT).until(() -> blpops() == 0);
  }

  @Test
  void badInputErrorsNameQueueAndKey() {
    String name = Queues.uniqueName("wrongtype");
    try (Resp r = redis.server().client()) {
      r.call("SET", "{" + name + "_queue}:ready", "not a list");
    }
    assertThatThrownBy(() -> queues.open(name, false))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("queue \"" + name + "\"")
        .hasMessageContaining("{" + name + "_queue}:ready")
        .hasMessageContaining("string");
    assertThatThrownBy(() -> queues.open("br{ace}", false))
        .isInstanceOf(QueueConfigException.class).hasMessageContaining("br{ace}")
        .hasMessageContaining("hash tag");
    String flavour = Queues.uniqueName("flavour");
    queues.open(flavour, false).close();
    assertThatThrownBy(() -> queues.open(flavour, true))
        .isInstanceOf(QueueConfigException.class).hasMessageContaining("simple");
  }

  @Test
  void wrongTypeAppearingLaterIsNamedToo() {
    String name = Queues.uniqueName("latertype");
    RedisQueue q = queues.open(name, false);
    try (Resp r = redis.server().client()) {
      r.call("SET", "{" + name + "_queue}:delayed", "oops");
    }
    assertThatThrownBy(() -> q.push(item("a"), WAIT))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("{" + name + "_queue}:delayed").hasMessageContaining(name);
  }

  @Test
  void thePromoterWakesAWaiterWhenADelayedItemFallsDue() {
    String name = Queues.uniqueName("promoter");
    String t = "{" + name + "_queue}";
    RedisQueue q = queues.open(name, false);
    q.claim(1, Duration.ZERO);  // registers: this instance now runs a promoter
    q.push(item("later"), Duration.ofMinutes(5), WAIT);
    try (Resp r = redis.server().client()) {
      r.call("DEL", t + ":wake");
      queues.clock.advance(Duration.ofMinutes(5));
      // one token for the one registered waiter; the item itself waits for a claim to promote it
      await().atMost(WAIT).until(() -> r.integer("LLEN", t + ":wake") == 1);
      assertThat(r.integer("ZCARD", t + ":delayed")).isEqualTo(1);
      assertThat(r.call("GET", t + ":promoter")).isEqualTo(q.consumerId());
    }
    assertThat(payloads(q.claim(1, WAIT))).containsExactly("later");
  }

  @Test
  void scriptsFlushedFromTheServerAreLoadedAgain() {
    RedisQueue q = queues.open(Queues.uniqueName("noscript"), true);
    q.push(item("a"), WAIT);
    try (Resp r = redis.server().client()) {
      assertThat(r.call("SCRIPT", "FLUSH")).isEqualTo("OK");
    }
    // EVALSHA answers NOSCRIPT: the queue sends the body and carries on
    assertThat(q.push(item("b"), WAIT)).isEqualTo(PushResult.ADDED);
    assertThat(payloads(q.claim(2, WAIT))).containsExactly("a", "b");
    try (Resp r = redis.server().client()) {
      @SuppressWarnings("unchecked")
      List<Object> cached = (List<Object>) r.call("SCRIPT", "EXISTS", Scripts.Script.PUSH.sha);
      assertThat(cached).containsExactly(1L);
    }
  }

  /**
   * A claim that took the whole ready list is followed by a wait for a wake token, not by another
   * claim script that could only find the list empty: a trickle of items costs one claim script
   * per item. The push that comes next leaves the token, and the waiting claim gets its item.
   */
  @Test
  void afterAClaimThatTookTheWholeListTheNextWaitsForATokenBeforeClaiming() throws Exception {
    String name = Queues.uniqueName("drained");
    RedisQueue q = queues.open(name, false);
    for (String s : List.of("a", "b", "c")) {
      q.push(Item.of(s.getBytes(StandardCharsets.UTF_8)), WAIT);
    }
    List<Delivery> first = q.claim(10, Duration.ZERO);
    assertThat(first).hasSize(3);
    try (RedisIdleCostTest.Monitor mon = new RedisIdleCostTest.Monitor(redis.server().port())) {
      CompletableFuture<List<Delivery>> next =
          CompletableFuture.supplyAsync(() -> q.claim(10, WAIT));
      mon.awaitCount("blpop", 1);
      assertThat(mon.all()).as("claim scripts before the wait")
          .noneMatch(l -> l.contains(Scripts.Script.CLAIM.sha));
      q.push(Item.of("d".getBytes(StandardCharsets.UTF_8)), WAIT);
      List<Delivery> got = next.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(got).hasSize(1);
      assertThat(new String(got.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("d");
    }
    assertThat(q.ack(first)).containsOnly(Outcome.DONE);
  }

  /**
   * Items trickling in: after a claim that took the whole list, the next claim's script is sent
   * behind a short BLPOP on the blocking connection, so Redis runs it as soon as a push leaves a
   * token, without a round trip back to the client first. A wait that ends with nothing goes back
   * to the long BLPOP, so an idle queue still costs one command per long wait.
   */
  @Test
  void aTrickleClaimRidesBehindItsBlpopAndAnEmptyOneGoesBackToTheLongWait() throws Exception {
    String name = Queues.uniqueName("trickle");
    RedisQueue q = queues.open(name, false);
    q.push(Item.of("a".getBytes(StandardCharsets.UTF_8)), WAIT);
    List<Delivery> first = q.claim(10, Duration.ZERO);
    assertThat(first).hasSize(1);
    try (RedisIdleCostTest.Monitor mon = new RedisIdleCostTest.Monitor(redis.server().port())) {
      CompletableFuture<List<Delivery>> next =
          CompletableFuture.supplyAsync(() -> q.claim(10, WAIT));
      mon.awaitCount("blpop", 1);
      q.push(Item.of("b".getBytes(StandardCharsets.UTF_8)), WAIT);
      assertThat(next.get(WAIT.toSeconds(), TimeUnit.SECONDS)).hasSize(1);
      await().atMost(WAIT).until(
          () -> mon.all().stream().anyMatch(l -> l.contains(Scripts.Script.CLAIM.sha)));
      List<String> lines = mon.all();
      String blpop = lines.stream().filter(RedisQueueTest::isBlpop).findFirst().orElseThrow();
      assertThat(blpop).as("a short wait, not the long one")
          .doesNotEndWith("\"" + WakeWaiter.LONG_BLOCK_SECONDS + "\"");
      List<String> fromWaiter = lines.subList(lines.indexOf(blpop), lines.size()).stream()
          .filter(l -> client(l).equals(client(blpop))).collect(Collectors.toList());
      assertThat(fromWaiter).as("the blocking connection's commands from its BLPOP on")
          .hasSize(2);
      assertThat(fromWaiter.get(1)).contains(Scripts.Script.CLAIM.sha);

      // the next wait sees nothing: its claim comes back empty, and the one after blocks long
      mon.clear();
      assertThat(q.claim(10, Duration.ofMillis(200))).isEmpty();
      CompletableFuture<List<Delivery>> idle =
          CompletableFuture.supplyAsync(() -> q.claim(10, Duration.ofMillis(200)));
      assertThat(idle.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEmpty();
      mon.awaitCount("blpop", 2);
      assertThat(mon.all().stream().filter(RedisQueueTest::isBlpop))
          .as("the short wait, then the long one").hasSize(2)
          .last().asString().endsWith("\"" + WakeWaiter.LONG_BLOCK_SECONDS + "\"");
    }
    assertThat(q.ack(first)).containsOnly(Outcome.DONE);
  }

  private static boolean isBlpop(String monitorLine) {
    return monitorLine.toLowerCase(Locale.ROOT).contains("\"blpop\"");
  }

  /** The client address of a MONITOR line: "+time [db address] ...". */
  private static String client(String monitorLine) {
    int open = monitorLine.indexOf('[');
    return monitorLine.substring(open, monitorLine.indexOf(']', open) + 1);
  }

  @Test
  void aListLeftByGiteasRedisQueueIsReportedAtOpen() {
    String name = Queues.uniqueName("gitea");
    try (Resp r = redis.server().client()) {
      r.call("RPUSH", name + "_queue", "old1", "old2");
    }
    assertThat(CapturedErr.during(() -> queues.open(name, false))).contains("WARN")
        .contains("list " + name + "_queue with 2 items").contains("Gitea");
  }

  private static long blpops() {
    try (Resp r = redis.server().client()) {
      return String.valueOf(r.call("CLIENT", "LIST")).lines().filter(l -> l.contains("cmd=blpop"))
          .count();
    }
  }

  static Item item(String s) {
    return Item.of(bytes(s));
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String payload(Delivery d) {
    return new String(d.payload(), StandardCharsets.UTF_8);
  }

  static List<String> payloads(List<Delivery> ds) {
    List<String> out = new ArrayList<>();
    for (Delivery d : ds) {
      out.add(payload(d));
    }
    return out;
  }
}
