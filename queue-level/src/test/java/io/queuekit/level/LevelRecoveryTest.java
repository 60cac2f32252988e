package io.queuekit.level;

import static io.queuekit.level.Fixture.item;
import static io.queuekit.level.Fixture.str;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** docs/DESIGN.md §3.6 on LevelDB: every open of a queue name recovers what was in flight. */
class LevelRecoveryTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @RegisterExtension final Fixture f = new Fixture();

  static List<String> payloads(List<Delivery> ds) {
    return ds.stream().map(d -> str(d.payload())).collect(Collectors.toList());
  }

  @Test
  void inFlightItemsGoBackToTheHeadInClaimOrderWithRecoveryCountPlusOne() {
    List<Delivery> before;
    try (BaseQueue q = f.open("rec", false)) {
      for (String s : List.of("a", "b", "c", "d")) {
        q.push(item(s), LONG);
      }
      Delivery a = q.claim(1, Duration.ZERO).get(0);
      q.release(a, Duration.ZERO); // a: delivery count 1, now at the tail
      before = q.claim(3, Duration.ZERO); // b c d in flight
      assertThat(payloads(before)).containsExactly("b", "c", "d");
    } // closed without settling: what a crash leaves
    try (BaseQueue q = f.open("rec", false)) {
      assertThat(q.stats().inFlight()).isZero();
      assertThat(q.stats().ready()).isEqualTo(4);
      List<Delivery> after = Fixture.claimUpTo(q, 10);
      assertThat(payloads(after)).containsExactly("b", "c", "d", "a");
      assertThat(after.stream().map(Delivery::recoveryCount)).containsExactly(1, 1, 1, 0);
      assertThat(after.stream().map(Delivery::deliveryCount)).containsExactly(0, 0, 0, 1);
      long highestBefore = before.stream().mapToLong(Delivery::id).max().orElseThrow();
      assertThat(after).allSatisfy(d -> assertThat(d.id()).isGreaterThan(highestBefore));
      // The old deliveries are fenced off: acks from before the crash change nothing.
      assertThat(q.ack(before)).containsOnly(Outcome.STALE);
      assertThat(q.stats().inFlight()).isEqualTo(4);
    }
  }

  @Test
  void aDelayedRetryIsNotInFlightAndKeepsItsDueTime() {
    try (BaseQueue q = f.open("delayedrec", false)) {
      q.push(item("x"), LONG);
      q.release(q.claim(1, Duration.ZERO).get(0), Duration.ofMinutes(1));
    }
    try (BaseQueue q = f.open("delayedrec", false)) {
      assertThat(q.stats().delayed()).isEqualTo(1);
      assertThat(q.claim(1, Duration.ZERO)).isEmpty();
      f.clock.advance(Duration.ofMinutes(1));
      Delivery d = q.claim(1, Duration.ZERO).get(0);
      assertThat(d.recoveryCount()).isZero();
      assertThat(d.deliveryCount()).isEqualTo(1);
    }
  }

  @Test
  void anItemInFlightDuringMaxRecoveriesCrashesIsDeadLetteredAsPoison() {
    for (int crash = 1; crash <= 3; crash++) {
      try (BaseQueue q = f.open("poison", false, b -> b.maxRecoveries(3))) {
        if (crash == 1) {
          q.push(item("poison"), LONG);
          q.push(item("innocent"), LONG);
        }
        List<Delivery> d = q.claim(1, Duration.ZERO);
        assertThat(payloads(d)).containsExactly("poison");
        assertThat(d.get(0).recoveryCount()).isEqualTo(crash - 1);
      }
    }
    try (BaseQueue q = f.open("poison", false, b -> b.maxRecoveries(3))) {
      List<DeadLetter> dead = q.listDead(0, 10);
      assertThat(dead).singleElement().satisfies(dl -> {
        assertThat(str(dl.payload())).isEqualTo("poison");
        assertThat(dl.recoveryCount()).isEqualTo(3);
        assertThat(dl.reason()).contains("suspected poison").contains("MAX_RECOVERIES=3");
      });
      assertThat(payloads(Fixture.claimUpTo(q, 10))).containsExactly("innocent");
      // Replay resets the counts.
      assertThat(q.replayAllDead()).isEqualTo(1);
      Delivery again = q.claim(1, Duration.ZERO).get(0);
      assertThat(again.recoveryCount()).isZero();
    }
  }

  @Test
  void aQuarantineAtOpenIsReportedThroughTheStoreEvents() {
    java.util.List<io.queuekit.spi.DeadLetter> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.queuekit.spi.StoreEvents events = new io.queuekit.spi.StoreEvents() {
      @Override
      public void deadLettered(io.queuekit.spi.DeadLetter dead) {
        reported.add(dead);
      }
    };
    java.util.function.Supplier<BaseQueue> open = () -> io.queuekit.spi.BaseQueues.load().create("level",
        new io.queuekit.spi.BaseQueueConfig("reported", Fixture.settings().maxRecoveries(2).build(), false,
            f.clock, f.scheduler, f.dataPath, events));
    for (int crash = 0; crash < 2; crash++) {
      try (BaseQueue q = open.get()) {
        if (crash == 0) {
          q.push(item("poison"), LONG);
        }
        assertThat(q.claim(1, Duration.ZERO)).hasSize(1); // closed with it in flight: a crash
      }
    }
    try (BaseQueue q = open.get()) {
      assertThat(q.stats().dead()).isEqualTo(1);
      assertThat(reported).singleElement().satisfies(d -> {
        assertThat(str(d.payload())).isEqualTo("poison");
        assertThat(d.reason()).contains("suspected poison").contains("MAX_RECOVERIES=2");
        assertThat(d.recoveryCount()).isEqualTo(2);
        assertThat(q.listDead(0, 10)).extracting(io.queuekit.spi.DeadLetter::id).containsExactly(d.id());
      });
    }
  }

  @Test
  void maxRecoveriesZeroNeverQuarantines() {
    for (int crash = 0; crash < 5; crash++) {
      try (BaseQueue q = f.open("forever", false, b -> b.maxRecoveries(0))) {
        if (crash == 0) {
          q.push(item("p"), LONG);
        }
        assertThat(q.claim(1, Duration.ZERO).get(0).recoveryCount()).isEqualTo(crash);
      }
    }
    try (BaseQueue q = f.open("forever", false, b -> b.maxRecoveries(0))) {
      assertThat(q.stats().dead()).isZero();
      assertThat(q.claim(1, Duration.ZERO).get(0).recoveryCount()).isEqualTo(5);
    }
  }

  @Test
  void aRecoveredItemWhoseIdentityIsWaitingMergesIntoIt() {
    try (BaseQueue q = f.open("mergerec", true)) {
      q.push(item("x"), LONG);
      q.release(q.claim(1, Duration.ZERO).get(0), Duration.ZERO); // delivery count 1
      assertThat(q.claim(1, Duration.ZERO)).hasSize(1);
      q.push(item("x"), LONG); // a new copy waits while the first is in flight
    }
    try (BaseQueue q = f.open("mergerec", true)) {
      assertThat(q.len()).isEqualTo(1);
      assertThat(q.has("x".getBytes())).isTrue();
      Delivery d = q.claim(5, Duration.ZERO).get(0);
      assertThat(d.recoveryCount()).isEqualTo(1);
      assertThat(d.deliveryCount()).isEqualTo(1);
      assertThat(((LevelQueue) q).repairs()).isEmpty();
    }
  }

  @Test
  void recoveryOfAUniqueItemRestoresItsMember() {
    try (BaseQueue q = f.open("uniquerec", true)) {
      q.push(item("u"), LONG);
      q.claim(1, Duration.ZERO);
      assertThat(q.has("u".getBytes())).isFalse();
    }
    try (BaseQueue q = f.open("uniquerec", true)) {
      assertThat(q.has("u".getBytes())).isTrue();
      assertThat(q.push(item("u"), LONG).name()).isEqualTo("DUPLICATE");
    }
  }

  @Test
  void closingOneQueueRecoversOnlyItsOwnItems() {
    BaseQueue other = f.open("bystander", false);
    try {
      other.push(item("o"), LONG);
      List<Delivery> held = other.claim(1, Duration.ZERO);
      try (BaseQueue q = f.open("victim", false)) {
        q.push(item("v"), LONG);
        q.claim(1, Duration.ZERO);
      }
      try (BaseQueue q = f.open("victim", false)) {
        assertThat(q.claim(1, Duration.ZERO).get(0).recoveryCount()).isEqualTo(1);
      }
      assertThat(other.ack(held)).containsExactly(Outcome.DONE);
    } finally {
      other.close();
    }
  }
}
