package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuekit.QueueException;
import io.queuekit.QueueSettings;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GLOBAL_MAX_WORKERS} on one server with three instances of a queue (three consumers, as
 * three processes would have): the claim script hands out no batch while the cap's leases are
 * taken; every way a lease's last item leaves flight frees it (ack; release and dead-letter;
 * the recovery of a killed consumer) and wakes a capped waiter; with the cap off no lease key is
 * written (docs/DESIGN.md §3.12). The three-JVM run is {@link GlobalCapAcrossProcessesTest}.
 */
class GlobalCapTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static final Duration WAIT = Duration.ofSeconds(10);

  private static void push(RedisQueue q, int n) {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      items.add(Item.of(("i" + i).getBytes(StandardCharsets.UTF_8)));
    }
    q.pushAll(items, WAIT);
  }

  @Test
  void theThirdClaimGetsNothingUntilALeaseIsFreedAndAKilledConsumersLeaseDiesWithIt() {
    String name = Queues.uniqueName("cap");
    String leases = "{" + name + "_queue}:leases";
    try (Queues queues = new Queues(redis.server().connStr());
        Resp r = redis.server().client()) {
      QueueSettings s = queues.settings().globalMaxWorkers(2).build();
      RedisQueue a = queues.open(name, false, s);
      RedisQueue b = queues.open(name, false, s);
      RedisQueue c = queues.open(name, false, s);
      push(a, 20);

      List<Delivery> da = a.claim(3, Duration.ZERO);
      List<Delivery> db = b.claim(3, Duration.ZERO);
      assertThat(da).hasSize(3);
      assertThat(db).hasSize(3);
      assertThat(r.integer("ZCARD", leases)).isEqualTo(2);
      // at the cap: nothing for a third consumer, nor for a second claim of the first
      assertThat(c.claim(3, Duration.ZERO)).isEmpty();
      assertThat(a.claim(3, Duration.ZERO)).isEmpty();
      assertThat(a.stats().ready()).isEqualTo(14);

      // a capped claim that may wait gets the batch once a lease is freed, by its wake token
      CompletableFuture<List<Delivery>> waiting =
          CompletableFuture.supplyAsync(() -> c.claim(3, Duration.ofSeconds(60)));
      // acking part of a's batch leaves its lease; the last item frees it
      assertThat(a.ack(da.subList(0, 2))).containsOnly(Outcome.DONE);
      assertThat(r.integer("ZCARD", leases)).isEqualTo(2);
      assertThat(waiting).isNotDone();
      assertThat(a.ack(da.subList(2, 3))).containsOnly(Outcome.DONE);
      List<Delivery> dc = await().pollDelay(Duration.ZERO).atMost(WAIT)
          .until(() -> waiting.getNow(null), got -> got != null);
      assertThat(dc).hasSize(3);
      assertThat(r.integer("ZCARD", leases)).isEqualTo(2);

      // release and dead-letter settle too: b's lease goes with its last item
      assertThat(b.release(db.get(0), Duration.ZERO)).isEqualTo(Outcome.DONE);
      assertThat(b.deadLetter(db.get(1), "bad")).isEqualTo(Outcome.DONE);
      assertThat(a.claim(3, Duration.ZERO)).isEmpty();
      assertThat(b.ack(db.subList(2, 3))).containsOnly(Outcome.DONE);
      List<Delivery> da2 = a.claim(3, Duration.ZERO);
      assertThat(da2).hasSize(3);
      assertThat(b.claim(3, Duration.ZERO)).isEmpty();

      // c dies holding its batch: the recovery deletes its lease with its in-flight items
      c.crashAndReap();
      assertThat(r.integer("ZCARD", leases)).isEqualTo(1);
      List<Delivery> recovered = b.claim(3, Duration.ZERO);
      assertThat(recovered).singleElement()
          .satisfies(d -> assertThat(d.recoveryCount()).isEqualTo(1));

      a.ack(da2);
      b.ack(recovered);
      assertThat(r.integer("EXISTS", leases)).as("no lease left").isZero();
    }
  }

  /**
   * T:leases holding another program's value stops a capped claim and a settle before their first
   * write (Redis keeps what a failed script wrote), naming the queue.
   */
  @Test
  void aLeaseKeyOfAnotherTypeStopsClaimAndAckBeforeTheyChangeAnything() {
    String name = Queues.uniqueName("capwrongtype");
    String leases = "{" + name + "_queue}:leases";
    try (Queues queues = new Queues(redis.server().connStr());
        Resp r = redis.server().client()) {
      RedisQueue q = queues.open(name, false, queues.settings().globalMaxWorkers(2).build());
      push(q, 3);
      List<Delivery> d = q.claim(1, Duration.ZERO);
      assertThat(d).hasSize(1);
      r.call("DEL", leases);
      r.call("SET", leases, "another program's value");

      assertThatThrownBy(() -> q.claim(1, Duration.ZERO))
          .isInstanceOf(QueueException.class).hasMessageContaining(name);
      assertThat(r.integer("LLEN", "{" + name + "_queue}:ready")).isEqualTo(2);
      assertThatThrownBy(() -> q.ack(d)).isInstanceOf(QueueException.class);
      assertThat(r.integer("HLEN", "{" + name + "_queue}:inflight:" + q.consumerId()))
          .as("the in-flight entry is still there").isEqualTo(1);
      r.call("DEL", leases);
    }
  }

  @Test
  void withTheCapOffNoLeaseIsWritten() {
    String name = Queues.uniqueName("nocap");
    try (Queues queues = new Queues(redis.server().connStr());
        Resp r = redis.server().client()) {
      RedisQueue a = queues.open(name, false);
      RedisQueue b = queues.open(name, false);
      RedisQueue c = queues.open(name, false);
      push(a, 9);
      List<Delivery> all = new ArrayList<>();
      for (RedisQueue q : List.of(a, b, c)) {
        List<Delivery> d = q.claim(3, Duration.ZERO);
        assertThat(d).hasSize(3);
        q.ack(d);
      }
      assertThat(r.integer("EXISTS", "{" + name + "_queue}:leases")).isZero();
      assertThat(a.stats().inFlight()).isZero();
    }
  }

  /**
   * While the cap's slots are all held nothing wakes a waiter for ready items (it would only find
   * the cap): a push adds no wake token, nor does a beat's look at the ready list; the ack that
   * frees the slot adds one.
   */
  @Test
  void atTheCapAPushLeavesNoWakeTokenAndTheFreedSlotDoes() {
    String name = Queues.uniqueName("capnowake");
    String wake = "{" + name + "_queue}:wake";
    try (Queues queues = new Queues(redis.server().connStr());
        Resp r = redis.server().client()) {
      QueueSettings s = queues.settings().globalMaxWorkers(1).build();
      RedisQueue a = queues.open(name, false, s);
      RedisQueue b = queues.open(name, false, s);
      push(a, 1);
      List<Delivery> held = a.claim(1, Duration.ZERO);
      assertThat(held).hasSize(1);
      // b registers by claiming (refused at the cap): two waiters a token could go to
      assertThat(b.claim(1, Duration.ZERO)).isEmpty();
      r.call("DEL", wake);

      push(a, 3);
      a.lookNow().join();
      b.lookNow().join();
      assertThat(r.integer("LLEN", wake)).as("tokens while capped").isZero();

      assertThat(a.ack(held)).containsExactly(Outcome.DONE);
      assertThat(r.integer("LLEN", wake)).as("the freed slot's token").isPositive();
      assertThat(b.claim(1, Duration.ZERO)).hasSize(1);
    }
  }

  /**
   * A claim that took the cap's last slot is told so, and the next claim of that instance waits
   * for a freed slot's token before running the claim script (asked at once, the store could only
   * refuse it): no claim script runs while nothing is freed; once the ack frees the slot the
   * waiting claim gets the next item.
   */
  @Test
  void afterTakingTheLastSlotTheNextClaimWaitsForATokenBeforeAskingTheStore() throws Exception {
    String name = Queues.uniqueName("caplast");
    try (Queues queues = new Queues(redis.server().connStr())) {
      RedisQueue a = queues.open(name, false, queues.settings().globalMaxWorkers(1).build());
      push(a, 2);
      List<Delivery> held = a.claim(1, Duration.ZERO);
      assertThat(held).hasSize(1);
      try (RedisIdleCostTest.Monitor mon = new RedisIdleCostTest.Monitor(redis.server().port())) {
        CompletableFuture<List<Delivery>> next =
            CompletableFuture.supplyAsync(() -> a.claim(1, WAIT));
        mon.awaitCount("blpop", 1);
        assertThat(mon.all()).as("claim scripts run before the wait")
            .noneMatch(l -> l.contains(Scripts.Script.CLAIM.sha));
        assertThat(a.ack(held)).containsExactly(Outcome.DONE);
        assertThat(next.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).hasSize(1);
      }
    }
  }
  /**
   * A capped claim that leaves free slots and ready items wakes no more waiters than there are
   * free slots (a waiter woken past them would only be refused), and its own next claim waits
   * for a token before asking the store, instead of racing the waiters it woke for those slots.
   */
  @Test
  void aClaimLeavingFreeSlotsWakesOneWaiterPerSlotAndWaitsForATokenItself() throws Exception {
    String name = Queues.uniqueName("capfree");
    String wake = "{" + name + "_queue}:wake";
    try (Queues queues = new Queues(redis.server().connStr());
        Resp r = redis.server().client()) {
      QueueSettings s = queues.settings().globalMaxWorkers(3).build();
      RedisQueue a = queues.open(name, false, s);
      RedisQueue b = queues.open(name, false, s);
      RedisQueue c = queues.open(name, false, s);
      RedisQueue d = queues.open(name, false, s);
      // four registered waiters, so tokens are bounded by the slots and not by the waiters
      for (RedisQueue q : List.of(a, b, c, d)) {
        assertThat(q.claim(1, Duration.ZERO)).isEmpty();
      }
      push(a, 10);
      r.call("DEL", wake);

      assertThat(a.claim(2, Duration.ZERO)).hasSize(2);
      assertThat(r.integer("LLEN", wake)).as("tokens for the 2 free slots").isEqualTo(2);

      try (RedisIdleCostTest.Monitor mon = new RedisIdleCostTest.Monitor(redis.server().port())) {
        assertThat(a.claim(2, WAIT)).hasSize(2);
        await().pollDelay(Duration.ZERO).atMost(WAIT)
            .until(() -> indexOf(mon.all(), Scripts.Script.CLAIM.sha) >= 0);
        List<String> seen = mon.all();
        int blpop = indexOf(seen, "\"blpop\"");
        int claim = indexOf(seen, Scripts.Script.CLAIM.sha);
        assertThat(blpop).as("a token taken before the claim script: %s", seen).isNotNegative();
        assertThat(claim).as("the claim script after it: %s", seen).isGreaterThan(blpop);
      }
    }
  }

  /** The first line holding {@code part} (case aside), or -1. */
  static int indexOf(List<String> lines, String part) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).toLowerCase(java.util.Locale.ROOT).contains(part.toLowerCase(
          java.util.Locale.ROOT))) {
        return i;
      }
    }
    return -1;
  }
}
