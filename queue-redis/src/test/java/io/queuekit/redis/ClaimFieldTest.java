package io.queuekit.redis;

import static io.queuekit.redis.Queues.claimAll;
import static io.queuekit.redis.Queues.key;
import static io.queuekit.redis.RedisQueueTest.item;
import static io.queuekit.redis.RedisQueueTest.payloads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuekit.QueueException;
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
 * Layout 3's in-flight claims on a real redis-server, of entries pushed one by one (claims of a
 * pack: {@link PackTest}): a claim's entries are one field of the consumer's in-flight hash
 * ({@code c<firstDid>:<n>}); a step that settles part of a claim
 * explodes it into one field per entry; layout 2's single fields are read as they are; a claim
 * field that is not one moves as data.
 */
class ClaimFieldTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static final Duration WAIT = Duration.ofSeconds(30);
  @RegisterExtension
  final Queues queues = Queues.on(redis);

  @Test
  void aClaimIsOneFieldAndAPartialAckExplodesItIntoItsEntries() {
    String name = Queues.uniqueName("claimfield");
    RedisQueue q = queues.open(name, false);
    Queues.pushEach(q, "a", "b", "c", "d");
    List<Delivery> got = q.claim(4, WAIT);
    long first = got.get(0).id();
    String inflight = key(name, "inflight:" + q.consumerId());
    Resp r = queues.admin();
    assertThat(r.strings("HKEYS", inflight)).containsExactly("c" + first + ":4");
    assertThat(q.stats().inFlight()).isEqualTo(4);

    assertThat(q.ack(List.of(got.get(1), got.get(3)))).containsOnly(Outcome.DONE);
    // the rest of the claim, one field per delivery id
    assertThat(r.strings("HKEYS", inflight))
        .containsExactlyInAnyOrder(Long.toString(first), Long.toString(first + 2));
    assertThat(r.call("HGET", inflight, Long.toString(first + 2)).toString()).endsWith("c");
    assertThat(q.stats().inFlight()).isEqualTo(2);
    assertThat(q.ack(List.of(got.get(0), got.get(2)))).containsOnly(Outcome.DONE);
    assertThat(r.integer("EXISTS", inflight)).isZero();
    assertThat(q.stats().inFlight()).isZero();
    // a second ack of a settled delivery is stale, not done twice
    assertThat(q.ack(List.of(got.get(1)))).containsExactly(Outcome.STALE);
  }

  /**
   * The beat sweeps while anything is held: a claim it holds whole stays one field (its ack is
   * still one HDEL), one held in part is exploded and its orphans go back, one not held at all
   * goes back whole, in claim order.
   */
  @Test
  void aSweepKeepsAWhollyHeldClaimWholeAndGivesBackWhatNoDeliveryHolds() {
    String name = Queues.uniqueName("claimsweep");
    RedisQueue q = queues.open(name, false);
    Queues.pushEach(q, "a", "b", "c", "d", "e");
    List<Delivery> whole = q.claim(2, WAIT);
    List<Delivery> part = q.claim(2, WAIT);
    String inflight = key(name, "inflight:" + q.consumerId());
    Resp r = queues.admin();
    // a claim whose reply was lost (c: nobody holds it), and d's delivery forgotten by hand
    r.call("EVAL", "redis.call('HSET', KEYS[1], 'c900000:1', cmsgpack.pack({ARGV[1]}))", "1",
        inflight, "0:0:1::z");
    r.call("HSET", key(name, "meta"), "seq", "900001");
    assertThat(q.release(part.get(1), Duration.ofHours(1))).isEqualTo(Outcome.DONE);
    r.call("HSET", inflight, Long.toString(part.get(1).id()), "0:0:1::d2");
    q.sweepNow();
    assertThat(r.strings("HKEYS", inflight)).containsExactlyInAnyOrder(
        "c" + whole.get(0).id() + ":2", Long.toString(part.get(0).id()));
    assertThat(payloads(q.claim(10, Duration.ZERO))).containsExactly("d2", "z", "e");
    assertThat(q.ack(whole)).containsOnly(Outcome.DONE);
  }

  /**
   * A claim held in part (a settle that failed for good let its delivery go without touching the
   * claim's field): the sweep explodes it, gives back what no delivery holds and leaves the rest
   * to their acks.
   */
  @Test
  void aSweepExplodesAClaimHeldInPartAndGivesBackWhatNoDeliveryHolds() {
    String name = Queues.uniqueName("claimpartsweep");
    RedisQueue q = queues.open(name, false);
    Queues.pushEach(q, "a", "b", "c");
    List<Delivery> got = q.claim(3, WAIT);
    String inflight = key(name, "inflight:" + q.consumerId());
    Resp r = queues.admin();
    // the room key of another type stops the ack (which writes it for a producer waiting for
    // room) before its first write; its delivery is let go
    r.call("HSET", key(name, "meta"), "full", "1");
    r.call("SET", key(name, "room"), "another program's");
    assertThatThrownBy(() -> q.ack(List.of(got.get(1)))).isInstanceOf(QueueException.class)
        .hasMessageContaining(key(name, "room"));
    r.call("DEL", key(name, "room"));
    r.call("HDEL", key(name, "meta"), "full");
    assertThat(r.strings("HKEYS", inflight)).containsExactly("c" + got.get(0).id() + ":3");
    q.sweepNow();
    assertThat(r.strings("HKEYS", inflight)).containsExactlyInAnyOrder(
        Long.toString(got.get(0).id()), Long.toString(got.get(2).id()));
    assertThat(q.ack(List.of(got.get(0), got.get(2)))).containsOnly(Outcome.DONE);
    assertThat(claimAll(q)).containsExactly("b");
    assertThat(q.stats().inFlight()).isZero();
  }

  /** Ids are Lua numbers: the id sequence stays below 10^15, the bound claims are read by. */
  @Test
  void anIdSequenceAtTenToTheFifteenIsRefusedBeforeAClaimWritesAnything() {
    String name = Queues.uniqueName("bigseq");
    RedisQueue q = queues.open(name, false);
    Resp r = queues.admin();
    Queues.pushEach(q, "a", "b", "c");
    r.call("HSET", key(name, "meta"), "seq", "999999999999990");
    List<Delivery> got = q.claim(2, WAIT);
    assertThat(got.get(0).id()).isEqualTo(999999999999991L);
    assertThat(q.ack(List.of(got.get(0)))).containsExactly(Outcome.DONE);
    assertThat(q.ack(List.of(got.get(1)))).containsExactly(Outcome.DONE);
    r.call("HSET", key(name, "meta"), "seq", "1000000000000000");
    assertThatThrownBy(() -> q.claim(1, WAIT)).isInstanceOf(QueueException.class)
        .hasMessageContaining("field seq holds \"1000000000000000\"")
        .hasMessageContaining("below 10^15");
    assertThat(q.len()).isEqualTo(1);
  }

  @Test
  void statsCountAMalformedClaimFieldAsOneEntryAsRecoveryDoes() {
    String name = Queues.uniqueName("claimstats");
    RedisQueue q = queues.open(name, false);
    Queues.pushEach(q, "a", "b");
    assertThat(q.claim(2, WAIT)).hasSize(2);
    queues.admin().call("HSET", key(name, "inflight:" + q.consumerId()), "c900000:50", "junk");
    assertThat(q.stats().inFlight()).isEqualTo(3);
  }

  /**
   * A claim field of no entries ({@code c<id>:0} holding an empty MessagePack array): queuekit
   * never writes one (a claim that takes nothing writes no field), so it is another program's,
   * counted by the census as one entry and dead-lettered raw by the sweep, as any field that is
   * no claim. Otherwise nothing could ever clear it: the consumer would stay busy, and the beat
   * sweep, for good.
   */
  @Test
  void anEmptyClaimFieldIsForeignDataTheSweepDeadLettersRawAndTheConsumerRests() {
    String name = Queues.uniqueName("emptyclaim");
    RedisQueue q = queues.open(name, false);
    Queues.pushEach(q, "a", "b");
    List<Delivery> got = q.claim(2, WAIT);
    String inflight = key(name, "inflight:" + q.consumerId());
    Resp r = queues.admin();
    r.call("EVAL", "redis.call('HSET', KEYS[1], 'c900000:0', cmsgpack.pack({}))", "1", inflight);
    assertThat(r.integer("HSTRLEN", inflight, "c900000:0")).isEqualTo(1);
    assertThat(q.stats().inFlight()).as("the census counts it as one entry").isEqualTo(3);

    q.sweepNow();
    assertThat(r.strings("HKEYS", inflight)).containsExactly("c" + got.get(0).id() + ":2");
    assertThat(q.listDead(0, 10)).singleElement().satisfies(d -> {
      assertThat(d.reason()).contains("malformed entry").contains(inflight);
      assertThat(d.payload()).containsExactly(0x90);
    });
    assertThat(q.stats().inFlight()).isEqualTo(2);
    assertThat(q.ack(got)).containsOnly(Outcome.DONE);
    assertThat(r.integer("EXISTS", inflight)).isZero();
    // holding nothing, the consumer rests at its next beat
    await().pollDelay(Duration.ZERO).atMost(WAIT)
        .until(() -> r.integer("SISMEMBER", key(name, "busy"), q.consumerId()) == 0);
  }

  /** A dead consumer's empty claim field is dead-lettered raw by its recovery, not dropped. */
  @Test
  void anEmptyClaimFieldIsDeadLetteredRawByTheRecovery() {
    String name = Queues.uniqueName("emptyclaimreap");
    RedisQueue dying = queues.open(name, false);
    Queues.pushEach(dying, "a", "b");
    assertThat(dying.claim(2, WAIT)).hasSize(2);
    String inflight = key(name, "inflight:" + dying.consumerId());
    Resp r = queues.admin();
    r.call("EVAL", "redis.call('HSET', KEYS[1], 'c900000:0', cmsgpack.pack({}))", "1", inflight);
    dying.crashAndReap();

    RedisQueue survivor = queues.open(name, false);
    assertThat(claimAll(survivor)).containsExactly("a", "b");
    assertThat(survivor.listDead(0, 10)).singleElement().satisfies(d -> {
      assertThat(d.reason()).contains("malformed entry");
      assertThat(d.payload()).containsExactly(0x90);
    });
    assertThat(r.integer("EXISTS", inflight)).isZero();
  }

  /** A layout-1 migration a layout-2 process started and a later one finishes. */
  @Test
  void aMigrationALayoutTwoProcessLeftIsFinishedAtTheCurrentVersion() {
    String name = Queues.uniqueName("midmig");
    Resp r = queues.admin();
    r.call("HSET", key(name, "meta"), "version", "2", "migrating", "1", "flavour", "simple");
    queues.open(name, false);
    assertThat(r.call("HGET", key(name, "meta"), "version")).isEqualTo(Integer.toString(RedisLayout.LAYOUT_VERSION));
    assertThat(r.integer("HEXISTS", key(name, "meta"), "migrating")).isZero();
  }

  /**
   * A whole claim is acked without its ids; when its field is gone (exploded, one entry swept),
   * the script answers per id in id order, and the outcomes still land on the right deliveries
   * when the ack lists them in another order.
   */
  @Test
  void aWholeClaimAckedOutOfOrderAfterItsFieldExplodedGetsEachOutcomeRight() {
    String name = Queues.uniqueName("claimorder");
    RedisQueue q = queues.open(name, false);
    Queues.pushEach(q, "a", "b", "c", "d");
    List<Delivery> got = q.claim(4, WAIT);
    String inflight = key(name, "inflight:" + q.consumerId());
    Resp r = queues.admin();
    InFlight.explode(r, inflight);
    assertThat(r.integer("HDEL", inflight, Long.toString(got.get(1).id()))).isEqualTo(1);
    assertThat(q.ack(List.of(got.get(3), got.get(2), got.get(1), got.get(0))))
        .containsExactly(Outcome.DONE, Outcome.DONE, Outcome.STALE, Outcome.DONE);
    assertThat(r.integer("EXISTS", inflight)).isZero();
  }

  @Test
  void aReleaseOrDeadLetterOfOneItemLeavesTheRestOfItsClaimToSettle() {
    String name = Queues.uniqueName("claimpart");
    RedisQueue q = queues.open(name, false);
    Queues.pushEach(q, "a", "b", "c");
    List<Delivery> got = q.claim(3, WAIT);
    assertThat(q.release(got.get(0), Duration.ZERO)).isEqualTo(Outcome.DONE);
    assertThat(q.deadLetter(got.get(1), "bad")).isEqualTo(Outcome.DONE);
    assertThat(q.ack(List.of(got.get(2)))).containsExactly(Outcome.DONE);
    assertThat(q.ack(List.of(got.get(0)))).containsExactly(Outcome.STALE);
    assertThat(claimAll(q)).containsExactly("a");
    assertThat(q.listDead(0, 10)).singleElement()
        .satisfies(d -> assertThat(d.reason()).isEqualTo("bad"));
    assertThat(q.stats().inFlight()).isZero();
  }

  @Test
  void aCrashedConsumersClaimsGoBackToTheHeadInClaimOrder() {
    String name = Queues.uniqueName("claimcrash");
    RedisQueue dying = queues.open(name, false);
    Queues.pushEach(dying, "a", "b", "c", "d", "e");
    assertThat(payloads(dying.claim(2, WAIT))).containsExactly("a", "b");
    List<Delivery> second = dying.claim(2, WAIT);
    assertThat(payloads(second)).containsExactly("c", "d");
    // one of the second claim settled: it explodes, the first stays whole
    assertThat(dying.ack(List.of(second.get(1)))).containsExactly(Outcome.DONE);
    dying.crashAndReap();

    RedisQueue survivor = queues.open(name, false);
    assertThat(claimAll(survivor)).containsExactly("a", "b", "c", "e");
    assertThat(survivor.listDead(0, 10)).isEmpty();
  }

  /**
   * A queue a layout-2 process left: meta says version 2 and its consumer's in-flight hash holds
   * one field per delivery id. Opening it raises the version (layout-2 processes then refuse
   * it) and changes nothing else; those entries settle and recover as before. A tool opening an
   * existing queue leaves the version alone.
   */
  @Test
  void aLayoutTwoQueueOpensAsItIsAndItsSingleEntriesStillSettleAndRecover() {
    String name = Queues.uniqueName("fromtwo");
    RedisQueue old = queues.open(name, false);
    Queues.pushEach(old, "a", "b", "c");
    List<Delivery> got = old.claim(3, WAIT);
    String inflight = key(name, "inflight:" + old.consumerId());
    Resp r = queues.admin();
    InFlight.explode(r, inflight);
    r.call("HSET", key(name, "meta"), "version", "2");

    queues.openExisting(name, false);
    assertThat(r.call("HGET", key(name, "meta"), "version")).isEqualTo("2");
    RedisQueue next = queues.open(name, false);
    assertThat(r.call("HGET", key(name, "meta"), "version")).isEqualTo(Integer.toString(RedisLayout.LAYOUT_VERSION));
    assertThat(next.stats().inFlight()).isEqualTo(3);
    // a whole claim's ack finds no claim field: it settles per id, exactly
    assertThat(old.ack(List.of(got.get(0), got.get(1)))).containsOnly(Outcome.DONE);
    old.crashAndReap();
    assertThat(claimAll(next)).containsExactly("c");
  }

  @Test
  void aClaimFieldThatIsNoClaimIsDeadLetteredAsDataAndTheRestRecovered() {
    String name = Queues.uniqueName("badclaim");
    RedisQueue dying = queues.open(name, false);
    Queues.pushEach(dying, "a", "b");
    assertThat(dying.claim(2, WAIT)).hasSize(2);
    String inflight = key(name, "inflight:" + dying.consumerId());
    Resp r = queues.admin();
    // another program's bytes under a claim's name, and a claim whose count does not match
    r.call("HSET", inflight, "c900000:2", "junk");
    r.call("EVAL", "redis.call('HSET', KEYS[1], 'c800000:3', cmsgpack.pack({'x', 'y'}))", "1",
        inflight);
    dying.crashAndReap();

    RedisQueue survivor = queues.open(name, false);
    assertThat(claimAll(survivor)).containsExactly("a", "b");
    assertThat(survivor.listDead(0, 10)).hasSize(2).allSatisfy(d -> {
      assertThat(d.reason()).contains("malformed entry");
    });
    assertThat(survivor.listDead(0, 10)).anySatisfy(d ->
        assertThat(new String(d.payload(), StandardCharsets.UTF_8)).isEqualTo("junk"));
  }
}
