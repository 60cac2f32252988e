package io.queuekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.spi.DeadLetter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoreEventRelayTest {
  private static DeadLetter letter(long id) {
    return new DeadLetter(id, new byte[] {(byte) id}, "poison", 0, 3, Instant.EPOCH, Instant.EPOCH);
  }

  @Test
  void holdsEventsUntilAttachedThenForwardsInOrder() {
    StoreEventRelay relay = new StoreEventRelay();
    relay.deadLettered(letter(1));
    relay.deadLettered(letter(2));
    List<Long> seen = new ArrayList<>();
    relay.attach(l -> seen.add(l.id()));
    assertThat(seen).containsExactly(1L, 2L);
    relay.deadLettered(letter(3));
    assertThat(seen).containsExactly(1L, 2L, 3L);
  }

  @Test
  void attachesOnce() {
    StoreEventRelay relay = new StoreEventRelay();
    relay.attach(l -> {});
    assertThatThrownBy(() -> relay.attach(l -> {})).isInstanceOf(IllegalStateException.class);
  }
}
