package io.queuekit.conformance;

import static io.queuekit.conformance.QueueItems.item;
import static io.queuekit.conformance.QueueItems.text;
import static io.queuekit.conformance.QueueItems.texts;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.queuekit.PushResult;
import io.queuekit.QueueClosedException;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Base-queue tests of dead letters (listing, replay, purge, the cap), stats, close, and what a
 * persistent backend keeps across a reopen or a kill. Run by {@link BaseQueueConformanceTest}.
 */
public interface BaseQueueDeadLetterSuite extends BaseQueueSuite {

  // ---- dead letters ------------------------------------------------------------------------

  /** Pushes {@code texts}, claims them and dead-letters each as "died TEXT". */
  private void deadLetterAll(BaseQueue q, String... texts) {
    pushAll(q, texts);
    for (Delivery d : claimN(q, texts.length)) {
      assertThat(q.deadLetter(d, "died " + text(d.payload()))).isEqualTo(Outcome.DONE);
    }
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void deadLettersAreListedNewestFirstWithPaging(Flavour flavour) {
    BaseQueue q = open(flavour);
    Instant t0 = clock().instant();
    pushAll(q, "a", "b", "c");
    Delivery a = claimN(q, 1).get(0);
    assertThat(q.release(a, Duration.ZERO)).isEqualTo(Outcome.DONE);
    List<Delivery> got = claimN(q, 3);
    assertThat(texts(got)).containsExactly("b", "c", "a");

    clock().advance(Duration.ofSeconds(1));
    assertThat(q.deadLetter(got.get(0), "reason-b")).isEqualTo(Outcome.DONE);
    clock().advance(Duration.ofSeconds(1));
    assertThat(q.deadLetter(got.get(2), "reason-a")).isEqualTo(Outcome.DONE);
    clock().advance(Duration.ofSeconds(1));
    assertThat(q.deadLetter(got.get(1), "reason-c")).isEqualTo(Outcome.DONE);

    List<DeadLetter> dead = q.listDead(0, 10);
    assertThat(dead).extracting(d -> text(d.payload())).containsExactly("c", "a", "b");
    assertThat(dead).extracting(DeadLetter::reason)
        .containsExactly("reason-c", "reason-a", "reason-b");
    assertThat(dead).extracting(DeadLetter::deliveryCount).containsExactly(0, 1, 0);
    assertThat(dead).extracting(DeadLetter::recoveryCount).containsOnly(0);
    assertThat(dead).extracting(DeadLetter::firstPushed).containsOnly(t0);
    assertThat(dead).extracting(DeadLetter::deadAt)
        .containsExactly(t0.plusSeconds(3), t0.plusSeconds(2), t0.plusSeconds(1));
    assertThat(dead).extracting(DeadLetter::id).doesNotHaveDuplicates();

    assertThat(q.listDead(1, 1)).extracting(DeadLetter::reason).containsExactly("reason-a");
    assertThat(q.listDead(2, 5)).extracting(DeadLetter::reason).containsExactly("reason-b");
    assertThat(q.listDead(3, 5)).isEmpty();
    assertThat(q.listDead(0, 0)).isEmpty();

    assertThat(q.deadLetter(got.get(0), "again")).isEqualTo(Outcome.STALE);
    StoreStats stats = q.stats();
    assertThat(stats.dead()).isEqualTo(3);
    assertThat(stats.inFlight()).isZero();
    assertThat(q.len()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void replayMovesDeadLettersToTheTailWithCountsReset(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a", "b");
    Delivery a = claimN(q, 1).get(0);
    assertThat(q.release(a, Duration.ZERO)).isEqualTo(Outcome.DONE);
    List<Delivery> got = claimN(q, 2);
    assertThat(q.deadLetter(got.get(1), "a died")).isEqualTo(Outcome.DONE);
    assertThat(q.deadLetter(got.get(0), "b died")).isEqualTo(Outcome.DONE);
    long aId = q.listDead(1, 1).get(0).id();
    pushAll(q, "x");

    assertThat(q.replayDead(List.of(aId, Long.MAX_VALUE))).isEqualTo(1);

    assertThat(q.listDead(0, 10)).extracting(DeadLetter::reason).containsExactly("b died");
    assertThat(q.len()).isEqualTo(2);
    List<Delivery> back = claimAll(q);
    assertThat(texts(back)).containsExactly("x", "a");
    assertThat(back.get(1).deliveryCount()).isZero();
    assertThat(back.get(1).recoveryCount()).isZero();

    assertThat(q.replayAllDead()).isEqualTo(1);
    assertThat(q.replayAllDead()).isZero();
    assertThat(texts(claimAll(q))).containsExactly("b");
    assertThat(q.stats().dead()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void findDeadLooksUpTheNamedDeadLettersOldestFirstLeavingOutTheRest(Flavour flavour) {
    BaseQueue q = open(flavour);
    deadLetterAll(q, "a", "b", "c");
    List<DeadLetter> all = q.listDead(0, 10);
    long cId = all.get(0).id();
    long aId = all.get(2).id();

    List<DeadLetter> found = q.findDead(List.of(cId, Long.MAX_VALUE, aId, aId));
    assertThat(found).extracting(DeadLetter::id).containsExactly(aId, cId);
    assertThat(found).extracting(DeadLetter::reason).containsExactly("died a", "died c");
    assertThat(found).extracting(d -> text(d.payload())).containsExactly("a", "c");
    assertThat(q.findDead(List.of())).isEmpty();

    assertThat(q.purgeDead(List.of(aId))).isEqualTo(1);
    assertThat(q.findDead(List.of(aId, cId))).extracting(DeadLetter::id).containsExactly(cId);
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void purgeDeletesDeadLettersByIdOrAll(Flavour flavour) {
    BaseQueue q = open(flavour);
    deadLetterAll(q, "a", "b", "c");
    long bId = q.listDead(1, 1).get(0).id();

    assertThat(q.purgeDead(List.of(bId, Long.MAX_VALUE))).isEqualTo(1);
    assertThat(q.purgeDead(List.of(bId))).isZero();

    assertThat(q.listDead(0, 10)).extracting(DeadLetter::reason)
        .containsExactly("died c", "died a");
    assertThat(q.purgeAllDead()).isEqualTo(2);
    assertThat(q.listDead(0, 10)).isEmpty();
    assertThat(q.stats().dead()).isZero();
    assertThat(q.len()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void deadLetterStoreDropsTheOldestAtItsCap(Flavour flavour) {
    BaseQueue q = open(flavour.unique(), s -> s.deadLetterLength(3));
    pushAll(q, "i0", "i1", "i2", "i3", "i4");
    for (Delivery d : claimN(q, 5)) {
      assertThat(q.deadLetter(d, "r-" + text(d.payload()))).isEqualTo(Outcome.DONE);
    }

    assertThat(q.listDead(0, 10)).extracting(DeadLetter::reason)
        .containsExactly("r-i4", "r-i3", "r-i2");
    StoreStats stats = q.stats();
    assertThat(stats.dead()).isEqualTo(3);
    assertThat(stats.deadDropped()).isEqualTo(2);
  }

  // ---- stats -------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void statsCountEveryState(Flavour flavour) {
    BaseQueue q = open(flavour);
    assertThat(q.stats()).isEqualTo(new StoreStats(0, 0, 0, 0, 0, Optional.empty()));

    Instant t0 = clock().instant();
    pushAll(q, "a");
    clock().advance(Duration.ofSeconds(1));
    pushAll(q, "b");
    clock().advance(Duration.ofSeconds(1));
    assertThat(q.push(item("c"), Duration.ofSeconds(3), SHORT)).isEqualTo(PushResult.ADDED);
    pushAll(q, "d");
    List<Delivery> got = claimN(q, 1);

    StoreStats stats = q.stats();
    assertThat(stats.ready()).isEqualTo(2);
    assertThat(stats.delayed()).isEqualTo(1);
    assertThat(stats.inFlight()).isEqualTo(1);
    assertThat(stats.dead()).isZero();
    assertThat(stats.waiting()).isEqualTo(q.len());
    assertThat(stats.oldestWaiting()).contains(t0.plusSeconds(1));

    assertThat(q.deadLetter(got.get(0), "test")).isEqualTo(Outcome.DONE);
    clock().advance(Duration.ofSeconds(3));
    stats = q.stats();
    assertThat(stats.ready()).as("a due item is claimable now").isEqualTo(3);
    assertThat(stats.delayed()).isZero();
    assertThat(stats.inFlight()).isZero();
    assertThat(stats.dead()).isEqualTo(1);

    claimN(q, 3);
    assertThat(q.stats().oldestWaiting()).isEmpty();
    assertThat(q.stats().inFlight()).isEqualTo(3);
  }

  // ---- close -------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void closeWakesBlockedProducersWithQueueClosed(Flavour flavour) {
    BaseQueue q = open(flavour);
    fill(q);
    Background<PushResult> producer =
        background("producer", () -> q.push(item("late"), LONG)).awaitBlocked();
    Background<List<PushResult>> batch = background("batch-producer",
        () -> q.pushAll(List.of(item("late-1"), item("late-2")), LONG)).awaitBlocked();

    q.close();

    assertThat(producer.awaitFailure()).isInstanceOf(QueueClosedException.class);
    assertThat(batch.awaitFailure()).isInstanceOf(QueueClosedException.class);
  }

  @EveryBackend
  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void closeWakesBlockedClaimersWithNothing(Flavour flavour) throws Exception {
    BaseQueue q = open(flavour);
    assertThat(q.push(item("delayed"), Duration.ofSeconds(1), SHORT)).isEqualTo(PushResult.ADDED);
    Background<List<Delivery>> one =
        background("claimer-1", () -> q.claim(1, LONG)).awaitBlocked();
    Background<List<Delivery>> two =
        background("claimer-2", () -> q.claim(1, LONG)).awaitBlocked();

    q.close();

    assertThat(one.awaitResult()).isEmpty();
    assertThat(two.awaitResult()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void closeIsIdempotentAndEveryLaterCallThrows(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a", "b");
    Delivery d = claimN(q, 1).get(0);

    q.close();
    q.close();

    List<Runnable> calls = Arrays.asList(
        () -> q.push(item("x"), SHORT),
        () -> q.push(item("x"), Duration.ofSeconds(1), SHORT),
        () -> q.pushAll(List.of(item("x")), SHORT),
        () -> q.offer(item("x")),
        () -> q.claim(1, SHORT),
        () -> q.ack(List.of(d)),
        () -> q.release(d, Duration.ZERO),
        () -> q.unclaim(List.of(d)),
        () -> q.deadLetter(d, "late"),
        () -> q.has("a".getBytes(UTF_8)),
        q::len,
        q::removeAll,
        q::stats,
        () -> q.listDead(0, 10),
        () -> q.replayDead(List.of(1L)),
        q::replayAllDead,
        () -> q.purgeDead(List.of(1L)),
        q::purgeAllDead);
    for (int i = 0; i < calls.size(); i++) {
      Runnable call = calls.get(i);
      assertThatThrownBy(call::run).as("call #%d after close", i)
          .isInstanceOf(QueueClosedException.class)
          .hasMessageContaining(q.name());
    }
  }

  // ---- persistence (LevelDB, Redis) --------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void itemsAndDeadLettersSurviveAReopen(Flavour flavour) throws Exception {
    assumeTrue(fixture().backend().capabilities().persistent(), "persistent backends only");
    BaseQueue q = open(flavour);
    Instant t0 = clock().instant();
    pushAll(q, "dead", "a", "b");
    assertThat(q.push(item("later"), Duration.ofSeconds(2), SHORT)).isEqualTo(PushResult.ADDED);
    assertThat(q.deadLetter(claimN(q, 1).get(0), "reason")).isEqualTo(Outcome.DONE);
    q.close();

    BaseQueue again = fixture().reopen(q);

    assertThat(again.len()).isEqualTo(3);
    assertThat(again.has("later".getBytes(UTF_8))).isEqualTo(flavour.unique());
    assertThat(again.listDead(0, 10)).extracting(DeadLetter::reason).containsExactly("reason");
    List<Delivery> got = claimAll(again);
    assertThat(texts(got)).containsExactly("a", "b");
    assertThat(got).extracting(Delivery::firstPushed).containsOnly(t0);
    clock().advance(Duration.ofSeconds(2));
    assertThat(texts(claimAll(again))).containsExactly("later");
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void recoveredItemsComeBackAtTheHeadAndOldDeliveriesAreStale(Flavour flavour) throws Exception {
    assumeTrue(fixture().backend().capabilities().persistent(), "persistent backends only");
    BaseQueue q = open(flavour);
    pushAll(q, "a", "b", "c");
    Delivery a = claimN(q, 1).get(0);
    assertThat(q.release(a, Duration.ZERO)).isEqualTo(Outcome.DONE);
    List<Delivery> held = claimN(q, 2);
    assertThat(texts(held)).containsExactly("b", "c");
    pushAll(q, "d");

    fixture().backend().kill(q);
    BaseQueue again = fixture().reopen(q);

    assertThat(again.len()).isEqualTo(4);
    List<Delivery> first = claim(again, 100, SHORT);
    assertThat(texts(first)).as("a recovered item comes alone").containsExactly("b");
    List<Delivery> second = claim(again, 100, SHORT);
    assertThat(texts(second)).as("a recovered item comes alone").containsExactly("c");
    List<Delivery> got = new ArrayList<>(first);
    got.addAll(second);
    got.addAll(claimAll(again));
    assertThat(texts(got)).containsExactly("b", "c", "a", "d");
    assertThat(got).extracting(Delivery::recoveryCount).containsExactly(1, 1, 0, 0);
    assertThat(got).extracting(Delivery::deliveryCount).containsExactly(0, 0, 1, 0);
    assertThat(again.ack(held)).containsOnly(Outcome.STALE);
    assertThat(again.ack(got)).containsOnly(Outcome.DONE);
  }

  @Test
  default void recoveryMergesIntoAWaitingCopyTakingTheLargerRecoveryCount() throws Exception {
    assumeTrue(fixture().backend().capabilities().persistent(), "persistent backends only");
    BaseQueue q = open(Flavour.UNIQUE);
    pushAll(q, "a");
    claimN(q, 1);
    pushAll(q, "a");

    fixture().backend().kill(q);
    BaseQueue again = fixture().reopen(q);

    assertThat(again.len()).isEqualTo(1);
    List<Delivery> got = claimAll(again);
    assertThat(texts(got)).containsExactly("a");
    assertThat(got.get(0).recoveryCount()).isEqualTo(1);
  }
}
