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
  void anEventReportedWhileTheHeldOnesAreHandedOverComesAfterThem() throws Exception {
    // A store thread's event reached the target while the held ones were still being handed
    // over: the target saw 1, 3, 2.
    StoreEventRelay relay = new StoreEventRelay();
    relay.deadLettered(letter(1));
    relay.deadLettered(letter(2));
    List<Long> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    relay.attach(l -> {
      seen.add(l.id());
      if (l.id() == 1) {
        Thread store = new Thread(() -> relay.deadLettered(letter(3)));
        store.start();
        try {
          store.join(10_000);
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
        assertThat(store.isAlive()).isFalse();
      }
    });
    assertThat(seen).containsExactly(1L, 2L, 3L);
    relay.deadLettered(letter(4));
    assertThat(seen).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void aTargetThatThrowsDuringTheHandOverStillHearsLaterEvents() {
    // It threw, and every later event was held for good: the relay went silent.
    StoreEventRelay relay = new StoreEventRelay();
    relay.deadLettered(letter(1));
    List<Long> seen = new ArrayList<>();
    assertThatThrownBy(() -> relay.attach(l -> {
      if (l.id() == 1) {
        throw new IllegalStateException("listener failed");
      }
      seen.add(l.id());
    })).hasMessage("listener failed");
    relay.deadLettered(letter(2));
    assertThat(seen).containsExactly(2L);
  }

  @Test
  void attachesOnce() {
    StoreEventRelay relay = new StoreEventRelay();
    relay.attach(l -> {});
    assertThatThrownBy(() -> relay.attach(l -> {})).isInstanceOf(IllegalStateException.class);
  }
}
