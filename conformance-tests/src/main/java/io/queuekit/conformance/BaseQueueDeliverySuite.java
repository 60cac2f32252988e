package io.queuekit.conformance;

import static io.queuekit.conformance.QueueItems.item;
import static io.queuekit.conformance.QueueItems.texts;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.queuekit.PushResult;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Base-queue tests of what comes out and goes back: {@code has}, fencing (stale settle calls,
 * delivery ids), release with and without delay, promotion of due items, waiting claims, merges
 * of a unique queue's copies, and unclaim. Run by {@link BaseQueueConformanceTest}.
 */
public interface BaseQueueDeliverySuite extends BaseQueueSuite {

  // ---- has ---------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void hasTellsExactlyWhetherTheIdentityIsWaiting(Flavour flavour) {
    BaseQueue q = open(flavour);
    byte[] a = "a".getBytes(UTF_8);
    boolean u = flavour.unique();

    assertThat(q.has(a)).isFalse();
    pushAll(q, "a");
    assertThat(q.has(a)).isEqualTo(u);
    Delivery d = claimN(q, 1).get(0);
    assertThat(q.has(a)).as("in flight is not waiting").isFalse();
    assertThat(q.release(d, Duration.ofSeconds(1))).isEqualTo(Outcome.DONE);
    assertThat(q.has(a)).as("delayed is waiting").isEqualTo(u);
    clock().advance(Duration.ofSeconds(1));
    d = claimN(q, 1).get(0);
    assertThat(q.deadLetter(d, "test")).isEqualTo(Outcome.DONE);
    assertThat(q.has(a)).as("dead is not waiting").isFalse();
    assertThat(q.replayAllDead()).isEqualTo(1);
    assertThat(q.has(a)).isEqualTo(u);
    q.removeAll();
    assertThat(q.has(a)).isFalse();
  }

  @Test
  default void hasUsesTheIdentityNotThePayload() {
    BaseQueue q = open(Flavour.UNIQUE);
    Item first = new Item("payload-1".getBytes(UTF_8), "key".getBytes(UTF_8));
    Item second = new Item("payload-2".getBytes(UTF_8), "key".getBytes(UTF_8));

    assertThat(q.push(first, SHORT)).isEqualTo(PushResult.ADDED);
    assertThat(q.push(second, SHORT)).isEqualTo(PushResult.DUPLICATE);

    assertThat(q.has("key".getBytes(UTF_8))).isTrue();
    assertThat(q.has("payload-1".getBytes(UTF_8))).isFalse();
    assertThat(texts(claimAll(q))).containsExactly("payload-1");
  }

  // ---- fencing -----------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void secondAckIsStale(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a", "b");
    List<Delivery> got = claimN(q, 2);

    assertThat(q.ack(got)).containsExactly(Outcome.DONE, Outcome.DONE);
    assertThat(q.ack(got)).containsExactly(Outcome.STALE, Outcome.STALE);
    assertThat(q.ack(List.of(got.get(0), got.get(0))))
        .containsExactly(Outcome.STALE, Outcome.STALE);
    assertThat(q.stats().inFlight()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void ackAfterUnclaimIsStaleAndLeavesTheItemWaiting(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a");
    Delivery d = claimN(q, 1).get(0);

    assertThat(q.unclaim(List.of(d))).containsExactly(Outcome.DONE);
    assertThat(q.ack(List.of(d))).containsExactly(Outcome.STALE);
    assertThat(q.release(d, Duration.ZERO)).isEqualTo(Outcome.STALE);
    assertThat(q.deadLetter(d, "late")).isEqualTo(Outcome.STALE);
    assertThat(q.unclaim(List.of(d))).containsExactly(Outcome.STALE);

    assertThat(q.len()).isEqualTo(1);
    assertThat(q.listDead(0, 10)).isEmpty();
    Delivery again = claimN(q, 1).get(0);
    assertThat(again.deliveryCount()).as("stale calls changed no count").isZero();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void oldDeliveryIsStaleAfterTheItemWasReleasedAndClaimedAgain(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a");
    Delivery first = claimN(q, 1).get(0);
    assertThat(q.release(first, Duration.ZERO)).isEqualTo(Outcome.DONE);
    Delivery second = claimN(q, 1).get(0);

    assertThat(second.id()).isNotEqualTo(first.id());
    assertThat(q.ack(List.of(first))).containsExactly(Outcome.STALE);
    assertThat(q.release(first, Duration.ZERO)).isEqualTo(Outcome.STALE);
    assertThat(q.stats().inFlight()).as("the new claim is untouched").isEqualTo(1);
    assertThat(q.ack(List.of(second))).containsExactly(Outcome.DONE);
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void removeAllLeavesInFlightItemsAndTheirSettleCallsAlone(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a", "b", "c");
    List<Delivery> got = claimN(q, 2);

    assertThat(q.removeAll()).isEqualTo(1);

    assertThat(q.stats().inFlight()).isEqualTo(2);
    assertThat(q.ack(List.of(got.get(0)))).containsExactly(Outcome.DONE);
    assertThat(q.release(got.get(1), Duration.ZERO)).isEqualTo(Outcome.DONE);
    assertThat(q.ack(List.of(got.get(0)))).containsExactly(Outcome.STALE);
    List<Delivery> back = claimN(q, 1);
    assertThat(texts(back)).containsExactly("b");
    assertThat(back.get(0).deliveryCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void deliveryIdsAreNeverReused(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a", "b");
    Set<Long> ids = new HashSet<>();
    List<Delivery> old = new ArrayList<>();
    for (int round = 0; round < 6; round++) {
      List<Delivery> got = claimN(q, 2);
      for (Delivery d : got) {
        assertThat(ids.add(d.id())).as("id %d reused", d.id()).isTrue();
      }
      if (round % 2 == 0) {
        assertThat(q.unclaim(got)).containsOnly(Outcome.DONE);
      } else {
        for (Delivery d : got) {
          assertThat(q.release(d, Duration.ZERO)).isEqualTo(Outcome.DONE);
        }
      }
      old.addAll(got);
    }
    assertThat(q.ack(old)).containsOnly(Outcome.STALE);
    assertThat(q.len()).isEqualTo(2);
  }

  // ---- release, delays, promotion ---------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void releaseWithoutDelayGoesToTheTailWithOneMoreDelivery(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a", "b");
    Delivery a = claimN(q, 1).get(0);
    Instant pushed = a.firstPushed();
    clock().advance(Duration.ofSeconds(5));

    assertThat(q.release(a, Duration.ZERO)).isEqualTo(Outcome.DONE);

    List<Delivery> got = claimN(q, 2);
    assertThat(texts(got)).containsExactly("b", "a");
    assertThat(got.get(1).deliveryCount()).isEqualTo(1);
    assertThat(got.get(1).recoveryCount()).isZero();
    assertThat(got.get(1).firstPushed()).as("kept across retries").isEqualTo(pushed);
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void releasedWithADelayItemIsClaimableOnlyOnceTheClockPassesItsDueTime(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a");
    Delivery d = claimN(q, 1).get(0);

    assertThat(q.release(d, Duration.ofSeconds(3))).isEqualTo(Outcome.DONE);

    assertThat(q.len()).isEqualTo(1);
    assertThat(q.stats().delayed()).isEqualTo(1);
    assertThat(claim(q, 1, SHORT)).isEmpty();
    clock().advance(Duration.ofMillis(2999));
    assertThat(claim(q, 1, SHORT)).isEmpty();
    clock().advance(Duration.ofMillis(1));
    List<Delivery> got = claimN(q, 1);
    assertThat(texts(got)).containsExactly("a");
    assertThat(got.get(0).deliveryCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void pushedWithADelayItemWaitsForItsDueTime(Flavour flavour) {
    BaseQueue q = open(flavour);

    assertThat(q.push(item("later"), Duration.ofSeconds(2), SHORT)).isEqualTo(PushResult.ADDED);
    pushAll(q, "now");

    assertThat(q.len()).isEqualTo(2);
    assertThat(texts(claimAll(q))).containsExactly("now");
    clock().advance(Duration.ofSeconds(2));
    List<Delivery> got = claimN(q, 1);
    assertThat(texts(got)).containsExactly("later");
    assertThat(got.get(0).deliveryCount()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void dueItemsArePromotedAtClaimByDueTimeThenDelayOrderAfterWhatIsReady(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "x", "y");
    List<Delivery> xy = claimN(q, 2);
    assertThat(q.push(item("a"), Duration.ofSeconds(5), SHORT)).isEqualTo(PushResult.ADDED);
    assertThat(q.release(xy.get(1), Duration.ofSeconds(3))).isEqualTo(Outcome.DONE);
    assertThat(q.release(xy.get(0), Duration.ofSeconds(3))).isEqualTo(Outcome.DONE);
    assertThat(q.push(item("b"), Duration.ofSeconds(3), SHORT)).isEqualTo(PushResult.ADDED);
    pushAll(q, "r");

    clock().advance(Duration.ofSeconds(10));
    // Pushed after the clock passed every due time, but before any claim promoted them.
    pushAll(q, "s");

    List<Delivery> got = claimAll(q);
    assertThat(texts(got)).containsExactly("r", "s", "y", "x", "b", "a");
    assertThat(got.stream().map(Delivery::deliveryCount)).containsExactly(0, 0, 1, 1, 0, 0);
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void waitingClaimReturnsADelayedItemOnceItFallsDue(Flavour flavour) throws Exception {
    BaseQueue q = open(flavour);
    assertThat(q.push(item("a"), Duration.ofSeconds(1), SHORT)).isEqualTo(PushResult.ADDED);
    Background<List<Delivery>> claimer =
        background("claimer", () -> claim(q, 1, LONG)).awaitBlocked();

    clock().advance(Duration.ofSeconds(1));

    // Within PATIENCE although the claim may wait LONG: its wait is bounded by the due time.
    assertThat(texts(claimer.awaitResult())).containsExactly("a");
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void waitingClaimIsWokenByAPush(Flavour flavour) throws Exception {
    BaseQueue q = open(flavour);
    for (int i = 0; i < 3; i++) {
      int n = i;
      Background<List<Delivery>> claimer =
          background("claimer-" + i, () -> claim(q, 1, LONG)).awaitBlocked();

      pushAll(q, "wake-" + n);

      assertThat(texts(claimer.awaitResult())).containsExactly("wake-" + n);
    }
  }

  // ---- merge (unique) -----------------------------------------------------------------------

  @Test
  default void releaseMergesIntoTheWaitingCopyWhichKeepsItsPlaceAndDueTime() {
    BaseQueue q = open(Flavour.UNIQUE);
    pushAll(q, "a");
    Delivery a = claimN(q, 1).get(0);
    pushAll(q, "b");
    assertThat(q.push(item("a"), SHORT)).as("in flight is not waiting").isEqualTo(PushResult.ADDED);
    pushAll(q, "c");

    // With a delay: the merged copy still keeps the waiting copy's due time (ready now).
    assertThat(q.release(a, Duration.ofSeconds(3))).isEqualTo(Outcome.MERGED);

    assertThat(q.len()).isEqualTo(3);
    assertThat(q.stats().delayed()).isZero();
    List<Delivery> got = claimAll(q);
    assertThat(texts(got)).containsExactly("b", "a", "c");
    assertThat(got.get(1).deliveryCount()).as("the larger delivery count").isEqualTo(1);
  }

  @Test
  default void unclaimMergesKeepingTheLargerCountEitherWay() {
    BaseQueue q = open(Flavour.UNIQUE);
    // The waiting copy has the larger count.
    pushAll(q, "a");
    Delivery fresh = claimN(q, 1).get(0);
    pushAll(q, "a");
    Delivery copy = releasedTwice(q);
    assertThat(q.release(copy, Duration.ZERO)).isEqualTo(Outcome.DONE);
    assertThat(q.unclaim(List.of(fresh))).containsExactly(Outcome.MERGED);
    assertThat(q.len()).isEqualTo(1);
    Delivery merged = claimN(q, 1).get(0);
    assertThat(merged.deliveryCount()).isEqualTo(3);

    // The incoming copy has the larger count.
    pushAll(q, "a");
    assertThat(q.unclaim(List.of(merged))).containsExactly(Outcome.MERGED);
    assertThat(q.len()).isEqualTo(1);
    assertThat(claimN(q, 1).get(0).deliveryCount()).isEqualTo(3);
  }

  /** Claims the single waiting item, released and re-claimed twice: deliveryCount 2. */
  private Delivery releasedTwice(BaseQueue q) {
    Delivery d = claimN(q, 1).get(0);
    for (int i = 0; i < 2; i++) {
      assertThat(q.release(d, Duration.ZERO)).isEqualTo(Outcome.DONE);
      d = claimN(q, 1).get(0);
    }
    assertThat(d.deliveryCount()).isEqualTo(2);
    return d;
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void replayMergesIntoAWaitingCopyOnAUniqueQueue(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a");
    assertThat(q.deadLetter(claimN(q, 1).get(0), "test")).isEqualTo(Outcome.DONE);
    pushAll(q, "a");
    Delivery copy = claimN(q, 1).get(0);
    assertThat(q.release(copy, Duration.ZERO)).isEqualTo(Outcome.DONE);

    assertThat(q.replayAllDead()).as("merged copies count as replayed").isEqualTo(1);

    assertThat(q.listDead(0, 10)).isEmpty();
    List<Delivery> got = claimAll(q);
    if (flavour.unique()) {
      assertThat(texts(got)).containsExactly("a");
      assertThat(got.get(0).deliveryCount()).as("the larger count: the waiting copy's")
          .isEqualTo(1);
    } else {
      assertThat(texts(got)).containsExactly("a", "a");
      assertThat(got.stream().map(Delivery::deliveryCount)).containsExactly(1, 0);
    }
  }

  // ---- claim ahead -------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void aClaimAheadIsWhatTheNextClaimHandsOutInOrder(Flavour flavour) {
    BaseQueue q = open(flavour);
    // pushes of several items, as the pool's producers make them (a store may keep each whole)
    for (String[] push : new String[][] {{"a", "b"}, {"c", "d"}, {"e", "f"}}) {
      assertThat(q.pushAll(List.of(item(push[0]), item(push[1])), SHORT))
          .containsOnly(PushResult.ADDED);
    }
    assertThat(texts(claimN(q, 2))).containsExactly("a", "b");
    q.claimAhead(2);
    List<Delivery> next = claimN(q, 2);
    assertThat(texts(next)).containsExactly("c", "d");
    assertThat(next).extracting(Delivery::recoveryCount).containsOnly(0);
    q.claimAhead(2);
    assertThat(texts(claimAll(q))).containsExactly("e", "f");
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void aClaimAheadNoClaimTookGoesBackAtCloseUncounted(Flavour flavour) {
    assumeTrue(fixture().backend().capabilities().persistent(), "persistent backends only");
    BaseQueue q = open(flavour);
    for (String[] push : new String[][] {{"a", "b"}, {"c", "d"}}) {
      assertThat(q.pushAll(List.of(item(push[0]), item(push[1])), SHORT))
          .containsOnly(PushResult.ADDED);
    }
    assertThat(texts(claimN(q, 2))).containsExactly("a", "b");
    q.claimAhead(2);
    q.close();

    BaseQueue again = fixture().reopen(q);
    List<Delivery> got = claimAll(again);
    // "a" and "b" were in flight at close, a crash to the store; "c" and "d" were never handed out
    assertThat(texts(got)).contains("c", "d");
    assertThat(got).filteredOn(d -> List.of("c", "d").contains(new String(d.payload(), UTF_8)))
        .extracting(Delivery::recoveryCount).containsOnly(0);
  }

  // ---- unclaim -----------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void unclaimPutsItemsBackAtTheHeadInTheirOrderWithCountsUnchanged(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a", "b", "c", "d");
    Delivery a = claimN(q, 1).get(0);
    assertThat(q.release(a, Duration.ZERO)).isEqualTo(Outcome.DONE);
    List<Delivery> got = claimN(q, 2);
    assertThat(texts(got)).containsExactly("b", "c");
    pushAll(q, "e");

    assertThat(q.unclaim(got)).containsExactly(Outcome.DONE, Outcome.DONE);

    List<Delivery> all = claimAll(q);
    assertThat(texts(all)).containsExactly("b", "c", "d", "a", "e");
    assertThat(all.stream().map(Delivery::deliveryCount)).containsExactly(0, 0, 0, 1, 0);
    assertThat(all.stream().map(Delivery::recoveryCount)).containsOnly(0);
  }
}
