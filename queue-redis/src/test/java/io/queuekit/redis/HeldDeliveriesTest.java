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
    h.hold(1, "a");
    h.hold(2, "a");
    h.hold(3, "b");
    assertThat(h.heldBy("a")).isEqualTo(2);
    assertThat(h.heldBy("b")).isEqualTo(1);
    assertThat(h.heldBy("c")).isZero();

    // held again under the same id: no double count; under another: moved
    h.hold(2, "a");
    assertThat(h.heldBy("a")).isEqualTo(2);
    h.hold(2, "b");
    assertThat(h.heldBy("a")).isEqualTo(1);
    assertThat(h.heldBy("b")).isEqualTo(2);
    assertThat(h.holder(2)).isEqualTo("b");

    h.forget(1);
    h.forget(1);
    h.forget(99);
    assertThat(h.heldBy("a")).isZero();
    assertThat(h.holder(1)).isNull();

    h.unsure(3);
    assertThat(h.isUnsure(3)).isTrue();
    assertThat(h.idsOf("b")).containsExactlyInAnyOrder(2L, 3L);
    assertThat(h.dropAll("b")).isEqualTo(2);
    assertThat(h.heldBy("b")).isZero();
    assertThat(h.isUnsure(3)).isFalse();
    assertThat(h.idsOf("b")).isEmpty();
  }
}
