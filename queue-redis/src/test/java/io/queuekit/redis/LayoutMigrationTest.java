package io.queuekit.redis;

import static io.queuekit.redis.RedisQueueTest.bytes;
import static io.queuekit.redis.RedisQueueTest.item;
import static io.queuekit.redis.RedisQueueTest.payload;
import static io.queuekit.redis.RedisQueueTest.payloads;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.PushResult;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
import io.queuekit.internal.Digests;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A queue written in layout 1 by raw commands (the way layout 1's scripts left it: items ready,
 * delayed, in flight under a dead consumer and dead) is migrated when opened: every item keeps its
 * state, position, due time, counts and first-pushed time, and nothing is lost or doubled.
 */
class LayoutMigrationTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final long SEQ = 20;
  private static final String DEAD_CONSUMER = "0123456789abcdef";
  @RegisterExtension
  final Queues queues = Queues.on(redis);
  private final long t0 = queues.clock.millis();

  private static String dg(String identity) {
    return HexFormat.of().formatHex(Digests.sha256(bytes(identity)));
  }

  private static String id(long n) {
    return String.format("%016d", n);
  }

  /**
   * Layout 1 of a unique queue: ready a (merged: 2 deliveries, 1 recovery) then b; delayed c and
   * d due at the same time, c admitted first; e in flight under a registered consumer whose
   * heartbeat is gone; f dead.
   */
  private void writeLayout1Unique(Resp r, String t) {
    r.call("HSET", t + ":meta", "version", "1", "flavour", "unique", "seq", Long.toString(SEQ));
    v1Item(r, t, 3, "2:1:" + t0 + ":" + dg("a") + ":a");
    v1Item(r, t, 1, "0:0:" + (t0 + 5) + ":" + dg("b") + ":b");
    v1Item(r, t, 7, "1:0:" + (t0 - 10) + ":" + dg("c") + ":c");
    v1Item(r, t, 8, "0:2:" + (t0 + 1) + ":" + dg("d") + ":d");
    r.call("RPUSH", t + ":ready", id(3), id(1));
    long due = t0 + 60_000;
    r.call("ZADD", t + ":delayed", Long.toString(due), id(7), Long.toString(due), id(8));
    r.call("ZADD", t + ":pushed", Long.toString(t0), id(3), Long.toString(t0 + 5), id(1),
        Long.toString(t0 - 10), id(7), Long.toString(t0 + 1), id(8));
    r.call("HSET", t + "_unique", dg("a"), id(3), dg("b"), id(1), dg("c"), id(7), dg("d"), id(8));
    r.call("HSET", t + ":consumers", DEAD_CONSUMER, "oldhost 1");
    r.call("HSET", t + ":inflight:" + DEAD_CONSUMER, "12",
        "1:0:" + (t0 - 100) + ":" + dg("e") + ":e");
    String reason = "boom";
    r.call("ZADD", t + ":dead", "15", id(15) + ":3:0:" + (t0 - 200) + ":" + (t0 - 50) + ":"
        + dg("f") + ":" + reason.length() + ":" + reason + "f");
  }

  private static void v1Item(Resp r, String t, long id, String entry) {
    r.call("HSET", t + ":items", id(id), entry);
  }

  @Test
  void uniqueQueueKeepsEveryItemStateAndCount() {
    String name = Queues.uniqueName("migrate");
    String t = "{" + name + "_queue}";
    try (Resp r = redis.server().client()) {
      writeLayout1Unique(r, t);
    }
    RedisQueue q = queues.open(name, true);
    try (Resp r = redis.server().client()) {
      assertThat(r.call("HGET", t + ":meta", "version"))
          .isEqualTo(Integer.toString(RedisLayout.LAYOUT_VERSION));
      assertThat(r.integer("EXISTS", t + ":items")).isZero();
      assertThat(r.integer("EXISTS", t + ":pushed")).isZero();
      assertThat(r.integer("LLEN", t + ":ready") + r.integer("ZCARD", t + ":delayed"))
          .isEqualTo(r.integer("HLEN", t + "_unique")).isEqualTo(4);
    }
    assertThat(q.len()).isEqualTo(4);
    assertThat(q.stats()).isEqualTo(new StoreStats(2, 2, 1, 1, 0,
        Optional.of(Instant.ofEpochMilli(t0 - 10))));
    for (String s : List.of("a", "b", "c", "d")) {
      assertThat(q.has(bytes(s))).as("has %s", s).isTrue();
    }
    assertThat(q.has(bytes("e"))).isFalse();
    assertThat(q.push(item("a"), WAIT)).isEqualTo(PushResult.DUPLICATE);
    assertThat(q.push(item("c"), WAIT)).isEqualTo(PushResult.DUPLICATE);

    // the first claim registers, reaps the dead consumer (e to the head, recovery + 1), claims
    List<Delivery> ready = claimRun(q, 3);
    assertThat(payloads(ready)).containsExactly("e", "a", "b");
    check(ready.get(0), 1, 1, t0 - 100);
    check(ready.get(1), 2, 1, t0);
    check(ready.get(2), 0, 0, t0 + 5);
    assertThat(q.stats().oldestWaiting()).contains(Instant.ofEpochMilli(t0 - 10));

    queues.clock.advance(Duration.ofSeconds(60));
    List<Delivery> delayed = claimRun(q, 2);
    assertThat(payloads(delayed)).containsExactly("c", "d");
    check(delayed.get(0), 1, 0, t0 - 10);
    check(delayed.get(1), 0, 2, t0 + 1);
    List<Delivery> all = new ArrayList<>(ready);
    all.addAll(delayed);
    Set<Long> ids = new HashSet<>();
    for (Delivery d : all) {
      assertThat(d.id()).as("delivery ids continue the sequence").isGreaterThan(SEQ);
      assertThat(ids.add(d.id())).as("delivery id %s unique", d.id()).isTrue();
    }
    assertThat(q.stats()).isEqualTo(new StoreStats(0, 0, 5, 1, 0, Optional.empty()));

    List<DeadLetter> dead = q.listDead(0, 10);
    assertThat(dead).hasSize(1);
    DeadLetter f = dead.get(0);
    assertThat(f.id()).isEqualTo(15);
    assertThat(new String(f.payload(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("f");
    assertThat(f.reason()).isEqualTo("boom");
    assertThat(f.deliveryCount()).isEqualTo(3);
    assertThat(f.recoveryCount()).isZero();
    assertThat(f.firstPushed()).isEqualTo(Instant.ofEpochMilli(t0 - 200));
    assertThat(f.deadAt()).isEqualTo(Instant.ofEpochMilli(t0 - 50));

    // the migrated unique set merges as before: a waiting copy takes the larger counts
    assertThat(q.push(item("a"), WAIT)).isEqualTo(PushResult.ADDED);
    assertThat(q.release(ready.get(1), Duration.ZERO)).isEqualTo(Outcome.MERGED);
    assertThat(q.ack(all.subList(2, 5))).containsOnly(Outcome.DONE);
    assertThat(q.ack(List.of(ready.get(0)))).containsExactly(Outcome.DONE);
    assertThat(q.replayAllDead()).isEqualTo(1);
    List<Delivery> again = claimRun(q, 2);
    assertThat(payloads(again)).containsExactly("a", "f");
    check(again.get(0), 3, 1, queues.clock.millis());
    check(again.get(1), 0, 0, t0 - 200);
    assertThat(q.ack(again)).containsOnly(Outcome.DONE);
    assertThat(q.stats()).isEqualTo(new StoreStats(0, 0, 0, 0, 0, Optional.empty()));
  }

  /**
   * Claims until {@code n} deliveries came: a claim hands out at most one recovered item, alone
   * (docs/DESIGN.md §3.2), so items with recovery counts take a claim each.
   */
  private static List<Delivery> claimRun(RedisQueue q, int n) {
    List<Delivery> out = new ArrayList<>();
    while (out.size() < n) {
      List<Delivery> got = q.claim(n - out.size(), WAIT);
      assertThat(got).as("claim after %s of %s deliveries", out.size(), n).isNotEmpty();
      if (got.stream().anyMatch(d -> d.recoveryCount() > 0)) {
        assertThat(got).as("a recovered item comes alone").hasSize(1);
      }
      out.addAll(got);
    }
    return out;
  }

  private static void check(Delivery d, int deliveries, int recoveries, long firstPushed) {
    assertThat(d.deliveryCount()).as("%s deliveries", payload(d)).isEqualTo(deliveries);
    assertThat(d.recoveryCount()).as("%s recoveries", payload(d)).isEqualTo(recoveries);
    assertThat(d.firstPushed()).as("%s first pushed", payload(d))
        .isEqualTo(Instant.ofEpochMilli(firstPushed));
  }

  @Test
  void simpleQueueKeepsEqualCopiesAndTheirOrder() {
    String name = Queues.uniqueName("migsimple");
    String t = "{" + name + "_queue}";
    long due = t0 + 1_000;
    try (Resp r = redis.server().client()) {
      r.call("HSET", t + ":meta", "version", "1", "flavour", "simple", "seq", "9");
      // equal bytes, equal counts and times: the same entry twice in the list and the delayed set
      String x = "0:0:" + t0 + "::x";
      String y = "4:0:" + t0 + "::y";
      v1Item(r, t, 1, x);
      v1Item(r, t, 2, x);
      v1Item(r, t, 3, y);
      v1Item(r, t, 4, y);
      v1Item(r, t, 5, "0:0:" + (t0 + 2) + "::z");
      r.call("RPUSH", t + ":ready", id(2), id(1));
      r.call("ZADD", t + ":delayed", Long.toString(due), id(4), Long.toString(due), id(3),
          Long.toString(due - 1), id(5));
      r.call("ZADD", t + ":pushed", Long.toString(t0), id(1), Long.toString(t0), id(2),
          Long.toString(t0), id(3), Long.toString(t0), id(4), Long.toString(t0 + 2), id(5));
    }
    RedisQueue q = queues.open(name, false);
    assertThat(q.stats()).isEqualTo(new StoreStats(2, 3, 0, 0, 0,
        Optional.of(Instant.ofEpochMilli(t0))));
    assertThat(payloads(q.claim(10, WAIT))).containsExactly("x", "x");
    queues.clock.advance(Duration.ofSeconds(1));
    List<Delivery> later = q.claim(10, WAIT);
    assertThat(payloads(later)).containsExactly("z", "y", "y");
    assertThat(later.get(1).deliveryCount()).isEqualTo(4);
    assertThat(later.get(2).deliveryCount()).isEqualTo(4);
    assertThat(q.len()).isZero();
  }

  @Test
  void twoConcurrentOpenersMigrateOnce() throws Exception {
    String name = Queues.uniqueName("migrace");
    String t = "{" + name + "_queue}";
    try (Resp r = redis.server().client()) {
      writeLayout1Unique(r, t);
    }
    CompletableFuture<RedisQueue> a = CompletableFuture.supplyAsync(() -> queues.open(name, true));
    CompletableFuture<RedisQueue> b = CompletableFuture.supplyAsync(() -> queues.open(name, true));
    RedisQueue qa = a.get(30, TimeUnit.SECONDS);
    RedisQueue qb = b.get(30, TimeUnit.SECONDS);
    // a third open finds layout 2 and changes nothing
    RedisQueue qc = queues.open(name, true);
    assertThat(qc.len()).isEqualTo(4);
    List<String> got = new ArrayList<>(payloads(claimRun(qa, 3)));
    queues.clock.advance(Duration.ofSeconds(60));
    got.addAll(payloads(claimRun(qb, 2)));
    assertThat(got).containsExactlyInAnyOrder("e", "a", "b", "c", "d");
    assertThat(qc.len()).isZero();
    assertThat(qc.stats().inFlight()).isEqualTo(5);
  }

  private static final int MANY_READY = 1_300;
  private static final int MANY_DELAYED = 1_100;

  /**
   * Layout 1 of a unique queue with {@link #MANY_READY} ready items m0.. then {@link
   * #MANY_DELAYED} delayed ones, due at t0 + 5 s; item i has i % 3 deliveries, a recovery when i % 25 == 0 (each takes a claim of its own)
   * and was first pushed at t0 + i % 7.
   */
  private void writeMany(Resp r, String t) {
    r.call("HSET", t + ":meta", "version", "1", "flavour", "unique", "seq", "100000");
    List<String> list = new ArrayList<>(List.of("RPUSH", t + ":ready"));
    List<String> zset = new ArrayList<>(List.of("ZADD", t + ":delayed"));
    List<String> uniq = new ArrayList<>(List.of("HSET", t + "_unique"));
    List<String> items = new ArrayList<>(List.of("HSET", t + ":items"));
    List<String> pushed = new ArrayList<>(List.of("ZADD", t + ":pushed"));
    for (int i = 0; i < MANY_READY + MANY_DELAYED; i++) {
      String s = "m" + i;
      items.add(id(i + 1));
      items.add((i % 3) + ":" + recoveries(i) + ":" + (t0 + i % 7) + ":" + dg(s) + ":" + s);
      uniq.add(dg(s));
      uniq.add(id(i + 1));
      pushed.add(Long.toString(t0 + i % 7));
      pushed.add(id(i + 1));
      if (i < MANY_READY) {
        list.add(id(i + 1));
      } else {
        zset.add(Long.toString(t0 + 5_000));
        zset.add(id(i + 1));
      }
    }
    r.call(list.toArray(new String[0]));
    r.call(zset.toArray(new String[0]));
    r.call(uniq.toArray(new String[0]));
    r.call(items.toArray(new String[0]));
    r.call(pushed.toArray(new String[0]));
  }

  private static int recoveries(int i) {
    return i % 25 == 0 ? 1 : 0;
  }

  /** Every item of {@link #writeMany} is there once, in order, with its counts and times. */
  private void checkMany(RedisQueue q) {
    int total = MANY_READY + MANY_DELAYED;
    assertThat(q.stats()).isEqualTo(new StoreStats(MANY_READY, MANY_DELAYED, 0, 0, 0,
        Optional.of(Instant.ofEpochMilli(t0))));
    queues.clock.advance(Duration.ofSeconds(5));
    List<Delivery> all = claimRun(q, total);
    assertThat(all).hasSize(total);
    Set<Long> ids = new HashSet<>();
    for (int i = 0; i < all.size(); i++) {
      Delivery d = all.get(i);
      assertThat(payload(d)).isEqualTo("m" + i);
      check(d, i % 3, recoveries(i), t0 + i % 7);
      assertThat(ids.add(d.id())).isTrue();
    }
    assertThat(q.stats()).isEqualTo(new StoreStats(0, 0, total, 0, 0, Optional.empty()));
    assertThat(q.ack(all)).hasSize(total).containsOnly(Outcome.DONE);
    assertThat(q.ack(all.subList(0, 3))).containsOnly(Outcome.STALE);
    assertThat(q.stats().inFlight()).isZero();
  }

  /** More items than one bulk command takes (500 per call): every chunked path runs. */
  @Test
  void manyItemsMigrateAndMoveInChunks() {
    String name = Queues.uniqueName("migmany");
    try (Resp r = redis.server().client()) {
      writeMany(r, "{" + name + "_queue}");
    }
    checkMany(queues.open(name, true));
  }

  /**
   * Migration steps of 700 items run by two connections in turn, then stopped (as if both
   * processes died): between steps every item is in exactly one place and meta already says
   * version 2, so a layout-1 process refuses the queue; the next open finishes the migration.
   */
  @Test
  void interruptedInterleavedStepsLoseNothing() {
    String name = Queues.uniqueName("migsteps");
    String t = "{" + name + "_queue}";
    RedisKeys k = new RedisKeys(name, "", name + "_queue", name + "_queue_unique");
    List<String> keys = new ArrayList<>();
    for (byte[] key : k.open()) {
      keys.add(new String(key, java.nio.charset.StandardCharsets.UTF_8));
    }
    assertThat(keys.get(3)).isEqualTo(t + "_unique");
    int total = MANY_READY + MANY_DELAYED;
    try (Resp a = redis.server().client(); Resp b = redis.server().client()) {
      writeMany(a, t);
      for (int step = 0; step < 3; step++) {
        List<String> cmd = new ArrayList<>(List.of("EVAL", Scripts.Script.OPEN.body,
            Integer.toString(keys.size())));
        cmd.addAll(keys);
        cmd.addAll(List.of("2", "unique", "700", "0"));
        Object r = (step % 2 == 0 ? a : b).call(cmd.toArray(new String[0]));
        assertThat(r).isEqualTo(List.of(0L, 700L, 1L, "unique"));
        long left = a.integer("HLEN", t + ":items");
        long moved = a.integer("LLEN", t + ":ready:migrating")
            + a.integer("ZCARD", t + ":delayed:migrating");
        assertThat(left).isEqualTo(total - 700L * (step + 1));
        assertThat(left + moved).isEqualTo(total);
        assertThat(a.integer("LLEN", t + ":ready") + a.integer("ZCARD", t + ":delayed"))
            .isEqualTo(left);
        assertThat(a.call("HGET", t + ":meta", "version")).isEqualTo("2");
        assertThat(a.call("HGET", t + ":meta", "migrating")).isEqualTo("1");
      }
    }
    checkMany(queues.open(name, true));
    try (Resp r = redis.server().client()) {
      assertThat(r.integer("EXISTS", t + ":ready:migrating", t + ":delayed:migrating",
          t + "_unique:migrating", t + ":items", t + ":pushed")).isZero();
      assertThat(r.integer("HEXISTS", t + ":meta", "migrating")).isZero();
    }
  }
}
