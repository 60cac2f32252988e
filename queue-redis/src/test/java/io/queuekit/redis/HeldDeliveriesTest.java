package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@link HeldDeliveries}: the count per consumer id follows every way a delivery is held and let
 * go (the beat asks it whether anything is held), and each held delivery names its claim (a
 * settle names the claim's in-flight field: a wrong one would explode or miss the claim).
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
    assertThat(h.idsOf("b")).containsExactly(3L, 10L, 12L);
    assertThat(h.dropAll("b")).isEqualTo(3);
    assertThat(h.heldBy("b")).isZero();
    assertThat(h.idsOf("b")).isEmpty();
    assertThat(h.holder(10)).isNull();
  }

  @Test
  void eachHeldDeliveryNamesItsClaimUntilItIsLetGo() {
    HeldDeliveries h = new HeldDeliveries();
    h.holdClaim(101, 100, "a");
    h.holdClaim(201, 1, "a");
    assertThat(h.claimOf(101)).isEqualTo(new HeldDeliveries.Range(101, 100));
    assertThat(h.claimOf(200)).isEqualTo(new HeldDeliveries.Range(101, 100));
    assertThat(h.claimOf(200).field()).isEqualTo("c101:100");
    assertThat(h.claimOf(201).field()).isEqualTo("c201:1");
    assertThat(h.claimOf(100)).isNull();
    assertThat(h.claimOf(202)).isNull();
    h.forget(150);
    assertThat(h.claimOf(150)).isNull();
    // the rest of the claim still names it whole: its field holds all 100 until a settle of a
    // part explodes it
    assertThat(h.claimOf(151)).isEqualTo(new HeldDeliveries.Range(101, 100));
  }

  @Test
  void aSettlesIdsAreLetGoTogetherAcrossClaimsSkippingWhatIsNotHeld() {
    HeldDeliveries h = new HeldDeliveries();
    h.holdClaim(1, 3, "a");
    h.holdClaim(4, 2, "b");
    h.holdClaim(10, 2, "a");
    h.forget(2);
    // out of order, a repeat, an id already let go, ids no claim holds, three claims
    h.forget(3, 2, 1, 1, 7, 4, 10, 99);
    assertThat(h.heldBy("a")).isEqualTo(1);
    assertThat(h.heldBy("b")).isEqualTo(1);
    assertThat(h.idsOf("a")).containsExactly(11L);
    assertThat(h.idsOf("b")).containsExactly(5L);
    // the first claim, wholly let go, is gone: its ids name no claim
    assertThat(h.claimOf(1)).isNull();
    assertThat(h.claimOf(5)).isEqualTo(new HeldDeliveries.Range(4, 2));
    h.forget(5, 11);
    assertThat(h.heldBy("a")).isZero();
    assertThat(h.heldBy("b")).isZero();
    assertThat(h.claimOf(5)).isNull();
    assertThat(h.claimOf(11)).isNull();
  }

  @Test
  void aClaimOverlappingOlderOnesDropsThem() {
    // the server lost its sequence (flushed, or restored from an older snapshot) and draws ids
    // again: settling an old delivery would settle the new claim's entry of the same id
    HeldDeliveries h = new HeldDeliveries();
    h.holdClaim(1, 10, "a");
    h.holdClaim(20, 5, "a");
    h.holdClaim(5, 18, "b");
    assertThat(h.heldBy("a")).isZero();
    assertThat(h.heldBy("b")).isEqualTo(18);
    assertThat(h.holder(3)).isNull();
    assertThat(h.holder(5)).isEqualTo("b");
    assertThat(h.holder(24)).isNull();
    assertThat(h.idsOf("a")).isEmpty();
  }

  @Test
  void aClaimLookedUpLastAnswersNoMoreOnceDroppedOrLetGo() {
    // containing() remembers the claim it found last: it must not outlive the claim
    HeldDeliveries h = new HeldDeliveries();
    h.holdClaim(1, 10, "a");
    assertThat(h.holder(3)).isEqualTo("a");
    h.holdClaim(1, 10, "b"); // ids drawn again: the claim just looked up is dropped
    assertThat(h.holder(3)).isEqualTo("b");
    for (long did = 1; did <= 10; did++) {
      h.forget(did);
    }
    assertThat(h.holder(3)).isNull();
    assertThat(h.claimOf(3)).isNull();
    h.forget(3);
    assertThat(h.heldBy("b")).isZero();
    assertThat(h.heldBy("a")).isZero();
  }
}
