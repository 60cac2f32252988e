package io.queuekit.redis;

import static io.queuekit.redis.Queues.claimAll;
import static io.queuekit.redis.Queues.key;
import static io.queuekit.redis.Queues.pushEach;
import static io.queuekit.redis.RedisQueueTest.item;
import static io.queuekit.redis.RedisQueueTest.payloads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.PushResult;
import io.queuekit.QueueException;
import io.queuekit.QueueFullException;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Layout 4's packs on a real redis-server: a push of several ready items is one pack in {@code
 * T:packs} and one reference in the ready list; a claim that is one pack takes the reference as it
 * is ({@code r<firstDid>:<n>}), and every other step that meets a reference reads its pack, which
 * goes when the last of its entries has left it. Claims of entries pushed one by one: {@link
 * ClaimFieldTest}.
 */
class PackTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static final Duration WAIT = Duration.ofSeconds(30);
  @RegisterExtension
  final Queues queues = Queues.on(redis);

  private Resp r() {
    return queues.admin();
  }

  static List<io.queuekit.spi.Item> items(String... payloads) {
    return java.util.Arrays.stream(payloads).map(RedisQueueTest::item).toList();
  }

  @Test
  void aPushOfSeveralIsOnePackAndAClaimOfItTakesItsReferenceAsItIs() {
    String name = Queues.uniqueName("pack");
    RedisQueue q = queues.open(name, false);
    q.pushAll(items("a", "b", "c", "d"), WAIT);
    List<String> ready = r().strings("LRANGE", key(name, "ready"), "0", "-1");
    assertThat(ready).singleElement().satisfies(ref -> assertThat(ref).startsWith("P4:"));
    assertThat(r().integer("HLEN", key(name, "packs"))).isEqualTo(1);
    assertThat(r().call("HGET", key(name, "meta"), "packed")).isEqualTo("3");
    assertThat(q.len()).isEqualTo(4);
    assertThat(q.stats().ready()).isEqualTo(4);

    List<Delivery> got = q.claim(4, WAIT);
    assertThat(payloads(got)).containsExactly("a", "b", "c", "d");
    assertThat(got).allSatisfy(d -> assertThat(d.deliveryCount()).isZero());
    String inflight = key(name, "inflight:" + q.consumerId());
    String field = "r" + got.get(0).id() + ":4";
    assertThat(r().strings("HKEYS", inflight)).containsExactly(field);
    assertThat(r().call("HGET", inflight, field)).isEqualTo(ready.get(0));
    assertThat(q.stats().inFlight()).isEqualTo(4);
    assertThat(q.len()).isZero();

    assertThat(q.ack(got)).containsOnly(Outcome.DONE);
    assertThat(r().integer("EXISTS", inflight)).isZero();
    assertThat(r().integer("EXISTS", key(name, "packs"))).as("the pack goes with its ack").isZero();
    assertThat(q.ack(List.of(got.get(2)))).containsExactly(Outcome.STALE);
  }

  @Test
  void aPartialAckOfAClaimOfAPackExplodesItAndThePackGoes() {
    String name = Queues.uniqueName("packpart");
    RedisQueue q = queues.open(name, false);
    q.pushAll(items("a", "b", "c", "d"), WAIT);
    List<Delivery> got = q.claim(4, WAIT);
    long first = got.get(0).id();
    String inflight = key(name, "inflight:" + q.consumerId());
    assertThat(q.ack(List.of(got.get(1), got.get(3)))).containsOnly(Outcome.DONE);
    assertThat(r().strings("HKEYS", inflight))
        .containsExactlyInAnyOrder(Long.toString(first), Long.toString(first + 2));
    assertThat(r().integer("EXISTS", key(name, "packs"))).isZero();
    assertThat(q.stats().inFlight()).isEqualTo(2);
    assertThat(q.ack(List.of(got.get(0), got.get(2)))).containsOnly(Outcome.DONE);
    assertThat(r().integer("EXISTS", inflight)).isZero();
  }

  @Test
  void aClaimSmallerThanAPackTakesItsHeadAndGivesTheRestBackOneEntryEach() {
    String name = Queues.uniqueName("packsplit");
    RedisQueue q = queues.open(name, false);
    q.pushAll(items("a", "b", "c", "d", "e"), WAIT);
    List<Delivery> got = q.claim(2, WAIT);
    assertThat(payloads(got)).containsExactly("a", "b");
    assertThat(r().strings("HKEYS", key(name, "inflight:" + q.consumerId())))
        .containsExactly("c" + got.get(0).id() + ":2");
    assertThat(r().strings("LRANGE", key(name, "ready"), "0", "-1"))
        .allSatisfy(e -> assertThat(e).startsWith("0:0:")).hasSize(3);
    assertThat(r().integer("EXISTS", key(name, "packs"))).isZero();
    assertThat(r().integer("HEXISTS", key(name, "meta"), "packed")).isZero();
    assertThat(q.len()).isEqualTo(3);
    assertThat(q.ack(got)).containsOnly(Outcome.DONE);
    assertThat(claimAll(q)).containsExactly("c", "d", "e");
  }

  /**
   * A claim takes as many entries as it may: a pack that is not the whole batch joins what
   * follows it, in order (its entries read into the claim's field); one of exactly max entries is
   * taken as it is.
   */
  @Test
  void aSmallPackJoinsTheEntriesAroundItInOneClaimAndALargeOneIsTakenAlone() {
    String name = Queues.uniqueName("packjoin");
    RedisQueue q = queues.open(name, false);
    pushEach(q, "x");
    q.pushAll(items("a", "b"), WAIT);
    pushEach(q, "y");
    q.pushAll(items("c", "d", "e"), WAIT);
    assertThat(q.len()).isEqualTo(7);
    List<Delivery> all = q.claim(10, WAIT);
    assertThat(payloads(all)).containsExactly("x", "a", "b", "y", "c", "d", "e");
    String inflight = key(name, "inflight:" + q.consumerId());
    assertThat(r().strings("HKEYS", inflight)).containsExactly("c" + all.get(0).id() + ":7");
    assertThat(r().integer("EXISTS", key(name, "packs"))).isZero();
    assertThat(q.ack(all)).containsOnly(Outcome.DONE);

    q.pushAll(items("f", "g", "h", "i", "j", "k"), WAIT);
    pushEach(q, "z");
    List<Delivery> joined = q.claim(10, WAIT);
    assertThat(payloads(joined)).containsExactly("f", "g", "h", "i", "j", "k", "z");
    assertThat(r().strings("HKEYS", inflight)).containsExactly("c" + joined.get(0).id() + ":7");
    assertThat(q.ack(joined)).containsOnly(Outcome.DONE);

    q.pushAll(items("l", "m", "n", "o", "p", "q", "r", "s", "t", "u"), WAIT);
    pushEach(q, "z");
    List<Delivery> large = q.claim(10, WAIT);
    assertThat(payloads(large)).containsExactly("l", "m", "n", "o", "p", "q", "r", "s", "t", "u");
    assertThat(r().strings("HKEYS", inflight)).containsExactly("r" + large.get(0).id() + ":10");
    assertThat(q.ack(large)).containsOnly(Outcome.DONE);
    assertThat(claimAll(q)).containsExactly("z");
  }

  /**
   * A process that claims the queue cuts its pushes into packs of its claims' size, so each of
   * its claims takes one pack as it is.
   */
  @Test
  void pushesAreCutIntoPacksOfTheSizeThisProcessClaims() {
    String name = Queues.uniqueName("packsize");
    RedisQueue q = queues.open(name, false);
    assertThat(q.claim(3, Duration.ZERO)).isEmpty();
    q.pushAll(items("a", "b", "c", "d", "e", "f", "g"), WAIT);
    assertThat(r().strings("LRANGE", key(name, "ready"), "0", "-1"))
        .satisfiesExactly(e -> assertThat(e).startsWith("P3:"), e -> assertThat(e).startsWith("P3:"),
            e -> assertThat(e).startsWith("0:0:"));
    String inflight = key(name, "inflight:" + q.consumerId());
    List<Delivery> first = q.claim(3, WAIT);
    assertThat(payloads(first)).containsExactly("a", "b", "c");
    assertThat(r().strings("HKEYS", inflight)).containsExactly("r" + first.get(0).id() + ":3");
    assertThat(q.ack(first)).containsOnly(Outcome.DONE);
    assertThat(claimAll(q)).containsExactly("d", "e", "f", "g");
  }

  /**
   * The sweep leaves a claim of a pack held whole as it is, gives back one no delivery holds (a
   * claim whose reply was lost) with its entries one each, and explodes one held in part; the
   * packs go with their claims.
   */
  @Test
  void theSweepKeepsAHeldClaimOfAPackAndGivesBackOneNobodyHolds() {
    String name = Queues.uniqueName("packsweep");
    RedisQueue q = queues.open(name, false);
    q.pushAll(items("a", "b"), WAIT);
    List<Delivery> whole = q.claim(2, WAIT);
    q.pushAll(items("c", "d"), WAIT);
    List<Delivery> part = q.claim(2, WAIT);
    String inflight = key(name, "inflight:" + q.consumerId());
    // a claim of a pack whose reply was lost: nobody holds it
    r().call("EVAL", "redis.call('HSET', KEYS[1], 'lost', cmsgpack.pack({ARGV[1], ARGV[2]}))",
        "1", key(name, "packs"), "0:0:1::e", "0:0:1::f");
    r().call("HSET", inflight, "r900000:2", "P2:1:lost");
    r().call("HSET", key(name, "meta"), "seq", "900001");
    // d's delivery let go without a settle: its claim is held in part
    assertThat(q.release(part.get(1), Duration.ofHours(1))).isEqualTo(Outcome.DONE);
    assertThat(r().integer("HLEN", key(name, "packs"))).isEqualTo(2);

    q.sweepNow();
    assertThat(r().strings("HKEYS", inflight)).containsExactlyInAnyOrder(
        "r" + whole.get(0).id() + ":2", Long.toString(part.get(0).id()));
    assertThat(r().integer("HLEN", key(name, "packs"))).as("the held claim's pack").isEqualTo(1);
    assertThat(payloads(q.claim(10, Duration.ZERO))).containsExactly("e", "f");
    assertThat(q.ack(whole)).containsOnly(Outcome.DONE);
    assertThat(q.ack(List.of(part.get(0)))).containsOnly(Outcome.DONE);
    assertThat(r().integer("EXISTS", key(name, "packs"))).isZero();
  }

  @Test
  void aCrashedConsumersClaimsOfPacksGoBackToTheHeadInClaimOrderCountingTheRecovery() {
    String name = Queues.uniqueName("packcrash");
    RedisQueue dying = queues.open(name, false);
    dying.pushAll(items("a", "b", "c"), WAIT);
    assertThat(dying.claim(3, WAIT)).hasSize(3);
    dying.pushAll(items("d", "e"), WAIT);
    assertThat(dying.claim(2, WAIT)).hasSize(2);
    dying.pushAll(items("f", "g"), WAIT);
    dying.crashAndReap();

    RedisQueue survivor = queues.open(name, false);
    assertThat(r().integer("HLEN", key(name, "packs"))).as("the waiting pack").isEqualTo(1);
    List<String> order = new java.util.ArrayList<>();
    for (List<Delivery> ds; !(ds = survivor.claim(100, Duration.ZERO)).isEmpty(); ) {
      for (Delivery d : ds) {
        assertThat(d.recoveryCount()).isEqualTo("fg".contains(payloads(List.of(d)).get(0)) ? 0 : 1);
      }
      order.addAll(payloads(ds));
      assertThat(survivor.ack(ds)).containsOnly(Outcome.DONE);
    }
    assertThat(order).containsExactly("a", "b", "c", "d", "e", "f", "g");
    assertThat(r().integer("EXISTS", key(name, "packs"))).isZero();
    assertThat(survivor.listDead(0, 10)).isEmpty();
  }

  @Test
  void aReleaseADeadLetterAndAnUnclaimOfPartOfAClaimOfAPackSettleExactly() {
    String name = Queues.uniqueName("packsettle");
    RedisQueue q = queues.open(name, false);
    q.pushAll(items("a", "b", "c", "d"), WAIT);
    List<Delivery> got = q.claim(4, WAIT);
    assertThat(q.release(got.get(0), Duration.ZERO)).isEqualTo(Outcome.DONE);
    assertThat(r().integer("EXISTS", key(name, "packs"))).isZero();
    assertThat(q.deadLetter(got.get(1), "bad")).isEqualTo(Outcome.DONE);
    assertThat(q.unclaim(List.of(got.get(2)))).containsExactly(Outcome.DONE);
    assertThat(q.ack(List.of(got.get(3)))).containsExactly(Outcome.DONE);
    assertThat(q.ack(List.of(got.get(0)))).containsExactly(Outcome.STALE);
    assertThat(claimAll(q)).containsExactly("c", "a");
    assertThat(q.listDead(0, 10)).singleElement()
        .satisfies(d -> assertThat(d.reason()).isEqualTo("bad"));
    assertThat(q.stats().inFlight()).isZero();
  }

  /** LENGTH counts a pack's entries; a pack it admits only in part goes in one entry each. */
  @Test
  void lengthCountsAPacksEntriesAndAdmitsPartOfOneAsSingleEntries() {
    String name = Queues.uniqueName("packlength");
    RedisQueue q = queues.open(name, false, queues.settings().length(5).build());
    pushEach(q, "x");
    q.pushAll(items("a", "b", "c"), WAIT);
    assertThat(q.len()).isEqualTo(4);
    assertThatThrownBy(() -> q.pushAll(items("d", "e", "f"), Duration.ofMillis(200)))
        .isInstanceOfSatisfying(QueueFullException.class, e -> assertThat(e.results())
            .containsExactly(PushResult.ADDED));
    assertThat(q.len()).isEqualTo(5);
    assertThat(r().integer("HLEN", key(name, "packs"))).isEqualTo(1);
    assertThat(claimAll(q)).containsExactly("x", "a", "b", "c", "d");
    assertThat(r().integer("EXISTS", key(name, "packs"))).isZero();
  }

  /** Removing every waiting item takes the waiting packs, not those of claims in flight. */
  @Test
  void removeAllTakesTheWaitingPacksAndLeavesThoseInFlight() {
    String name = Queues.uniqueName("packremove");
    RedisQueue q = queues.open(name, false);
    q.pushAll(items("a", "b", "c"), WAIT);
    List<Delivery> got = q.claim(3, WAIT);
    q.pushAll(items("d", "e"), WAIT);
    pushEach(q, "f");
    assertThat(q.removeAll()).isEqualTo(3);
    assertThat(r().integer("HLEN", key(name, "packs"))).isEqualTo(1);
    assertThat(r().integer("HEXISTS", key(name, "meta"), "packed")).isZero();
    assertThat(q.len()).isZero();
    assertThat(q.ack(got)).containsOnly(Outcome.DONE);
    assertThat(r().integer("EXISTS", key(name, "packs"))).isZero();
  }

  /**
   * A claim of a pack that is gone (deleted by hand) cannot be handed out: the claim fails naming
   * it, and the sweep dead-letters the claim's reference raw; a pack that is not one is
   * dead-lettered with its own bytes, by the claim that reads it or by the sweep.
   */
  @Test
  void aMissingOrMalformedPackIsDeadLetteredRawAndNothingElseIsLost() {
    String name = Queues.uniqueName("packbad");
    RedisQueue q = queues.open(name, false);
    q.pushAll(items("a", "b"), WAIT);
    r().call("DEL", key(name, "packs"));
    assertThatThrownBy(() -> q.claim(2, WAIT)).isInstanceOf(QueueException.class)
        .hasMessageContaining("queue \"" + name + "\"")
        .hasMessageContaining("names a pack that is not there");
    q.sweepNow();
    assertThat(q.listDead(0, 10)).singleElement().satisfies(d -> {
      assertThat(d.reason()).contains("malformed entry").contains("inflight");
      assertThat(new String(d.payload(), StandardCharsets.UTF_8)).startsWith("P2:");
    });
    q.purgeAllDead();

    // a pack that is no pack, met by a claim of it alone: the claim fails, the sweep buries it
    q.pushAll(items("c", "d"), WAIT);
    String packs = key(name, "packs");
    r().call("HSET", packs, r().strings("HKEYS", packs).get(0), "junk");
    assertThatThrownBy(() -> q.claim(2, WAIT)).isInstanceOf(QueueException.class)
        .hasMessageContaining("names a pack this version cannot read");
    q.sweepNow();
    assertThat(q.listDead(0, 10)).singleElement().satisfies(d ->
        assertThat(new String(d.payload(), StandardCharsets.UTF_8)).isEqualTo("junk"));
    assertThat(r().integer("EXISTS", packs)).isZero();
    q.purgeAllDead();

    // ... and by a claim that reads it among other entries: buried there, the rest handed out
    q.pushAll(items("e", "f"), WAIT);
    r().call("HSET", packs, r().strings("HKEYS", packs).get(0), "junk too");
    pushEach(q, "h");
    assertThat(payloads(q.claim(10, WAIT))).containsExactly("h");
    assertThat(q.listDead(0, 10)).singleElement().satisfies(d ->
        assertThat(new String(d.payload(), StandardCharsets.UTF_8)).isEqualTo("junk too"));
    assertThat(r().integer("EXISTS", packs)).isZero();
  }

  /**
   * A server that lost its scripts (restarted, failed over) answers the push's {@code EVALSHA}
   * with NOSCRIPT inside the transaction, after the pack's {@code HSET}: the push is sent again
   * with the script's body, which deletes the stray pack: no pack is left that nothing refers to.
   */
  @Test
  void aPushToAServerThatLostItsScriptsIsSentAgainAndLeavesNoStrayPack() {
    String name = Queues.uniqueName("packnoscript");
    RedisQueue q = queues.open(name, false);
    r().call("SCRIPT", "FLUSH");
    assertThat(q.pushAll(items("a", "b", "c"), WAIT)).containsOnly(PushResult.ADDED);
    assertThat(r().integer("HLEN", key(name, "packs"))).isEqualTo(1);
    assertThat(r().integer("LLEN", key(name, "ready"))).isEqualTo(1);
    r().call("SCRIPT", "FLUSH");
    assertThat(q.pushAll(items("d", "e"), WAIT)).containsOnly(PushResult.ADDED);
    assertThat(r().integer("HLEN", key(name, "packs"))).isEqualTo(2);
    assertThat(claimAll(q)).containsExactly("a", "b", "c", "d", "e");
    assertThat(r().integer("EXISTS", key(name, "packs"))).isZero();
  }

  /** A packs key of another type refuses the push, naming it, and takes nothing in. */
  @Test
  void aPacksKeyOfAnotherTypeRefusesThePushBeforeItChangesAnything() {
    String name = Queues.uniqueName("packwrong");
    RedisQueue q = queues.open(name, false);
    r().call("SET", key(name, "packs"), "another program's value");
    assertThatThrownBy(() -> q.pushAll(items("a", "b"), WAIT))
        .isInstanceOf(QueueException.class)
        .hasMessageContaining(key(name, "packs"))
        .hasMessageContaining("packs hash");
    assertThat(r().integer("EXISTS", key(name, "ready"))).isZero();
    assertThat(r().call("GET", key(name, "packs"))).isEqualTo("another program's value");
    r().call("DEL", key(name, "packs"));
    q.pushAll(items("a", "b"), WAIT);
    assertThat(claimAll(q)).containsExactly("a", "b");
  }

  /**
   * Meta's packed count holding another program's bytes counts as 0: the ready count is the
   * list's length until the next push of a pack rewrites it, and claims still read the
   * references they meet.
   */
  @Test
  void aPackedCountThatIsNoNumberCountsAsZeroAndReferencesAreStillRead() {
    String name = Queues.uniqueName("packcount");
    RedisQueue q = queues.open(name, false);
    q.pushAll(items("a", "b", "c"), WAIT);
    pushEach(q, "d");
    r().call("HSET", key(name, "meta"), "packed", "junk");
    assertThat(q.len()).isEqualTo(2);
    assertThat(payloads(q.claim(10, WAIT))).containsExactly("a", "b", "c", "d");
    assertThat(r().integer("HEXISTS", key(name, "meta"), "packed")).isZero();
    assertThat(r().integer("EXISTS", key(name, "packs"))).isZero();
    assertThat(q.listDead(0, 10)).isEmpty();
  }

  /** The census counts a claim of a pack by its reference, and a field that is none as one. */
  @Test
  void theCensusCountsAClaimOfAPackByItsReference() {
    String name = Queues.uniqueName("packcensus");
    RedisQueue q = queues.open(name, false);
    q.pushAll(items("a", "b", "c"), WAIT);
    assertThat(q.claim(3, WAIT)).hasSize(3);
    r().call("HSET", key(name, "inflight:" + q.consumerId()), "r900000:50", "P3:1:x");
    assertThat(q.stats().inFlight()).isEqualTo(4);
  }
}
