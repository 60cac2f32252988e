package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@link HeldDeliveries}: the count per consumer id follows every way a delivery is held and let
 * go (an ack's bulk check compares it with the in-flight hash, so a count that drifted would send
 * every ack down the per-id path, or worse, match by chance).
 */
class HeldDeliveriesTest {
  @Test
  void theCountPerConsumerFollowsHoldForgetAndFencing() {
    HeldDeliveries h = new HeldDeliveries();
    h.holdClaim(1, 2, "a");
    h.holdClaim(3, 1, "b");
    h.holdClaim(10, 3, "b");
    assertThat(h.heldBy("a")).isEqualTo(2);
    assertThat(h.heldBy("b")).isEqualTo(4);
    assertThat(h.heldBy("c")).isZero();
    assertThat(h.holder(2)).isEqualTo("a");
    assertThat(h.holder(12)).isEqualTo("b");
    // between and beyond the claims
    assertThat(h.holder(4)).isNull();
    assertThat(h.holder(13)).isNull();
    assertThat(h.holder(0)).isNull();

    h.forget(1);
    h.forget(1);
    h.forget(99);
    assertThat(h.heldBy("a")).isEqualTo(1);
    assertThat(h.holder(1)).isNull();
    assertThat(h.holder(2)).isEqualTo("a");
    h.forget(2);
    assertThat(h.heldBy("a")).isZero();
    assertThat(h.holder(2)).isNull();

    h.forget(11);
    h.unsure(3);
    assertThat(h.isUnsure(3)).isTrue();
    assertThat(h.idsOf("b")).containsExactly(3L, 10L, 12L);
    assertThat(h.dropAll("b")).isEqualTo(3);
    assertThat(h.heldBy("b")).isZero();
    assertThat(h.isUnsure(3)).isFalse();
    assertThat(h.idsOf("b")).isEmpty();
    assertThat(h.holder(10)).isNull();
  }

  @Test
  void whatOtherSettlesAreSettlingIsNotCountedAsHeldForTheBulkCheck() {
    // two workers ack two claims of one consumer at once: the second's count must not include
    // the first's deliveries, which the server may have deleted already (with them counted, the
    // in-flight hash looked short and the ack asked per id: a quarter of all acks in a benchmark)
    HeldDeliveries h = new HeldDeliveries();
    h.holdClaim(1, 100, "a");
    h.holdClaim(101, 100, "a");
    assertThat(h.heldAndNotSettling("a")).isEqualTo(200);
    h.settling("a", 100);
    assertThat(h.heldAndNotSettling("a")).isEqualTo(100);
    // the first settle is answered: counted out of settling before its deliveries are forgotten,
    // so a read in between counts them as held (the safe side: the ack then asks per id)
    h.settled("a", 100);
    assertThat(h.heldAndNotSettling("a")).isEqualTo(200);
    for (long did = 1; did <= 100; did++) {
      h.forget(did);
    }
    assertThat(h.heldAndNotSettling("a")).isEqualTo(100);
    h.settling("a", 100);
    assertThat(h.dropAll("a")).isEqualTo(100);
    assertThat(h.heldAndNotSettling("a")).isZero();
  }

  @Test
  void aClaimOverlappingOlderOnesDropsThem() {
    // the server lost its sequence (flushed, or restored from an older snapshot) and draws ids
    // again: settling an old delivery would settle the new claim's entry of the same id
    HeldDeliveries h = new HeldDeliveries();
    h.holdClaim(1, 10, "a");
    h.holdClaim(20, 5, "a");
    h.unsure(5);
    h.holdClaim(5, 18, "b");
    assertThat(h.heldBy("a")).isZero();
    assertThat(h.heldBy("b")).isEqualTo(18);
    assertThat(h.holder(3)).isNull();
    assertThat(h.holder(5)).isEqualTo("b");
    assertThat(h.holder(24)).isNull();
    assertThat(h.isUnsure(5)).isFalse();
    assertThat(h.idsOf("a")).isEmpty();
  }
}
