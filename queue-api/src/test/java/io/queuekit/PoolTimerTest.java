package io.queuekit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PoolTimerTest {
  /** A clock the test moves (queue-api cannot use the conformance module's MutableClock). */
  private static final class HandClock extends Clock {
    volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @Test
  void theSystemClockIsNeverReadAndWaitsAreNotCut() {
    assertThat(PoolTimer.of(Clock.systemUTC(), Duration.ofMillis(1))).isSameAs(PoolTimer.SYSTEM);
    assertThat(PoolTimer.of(Clock.systemDefaultZone(), Duration.ofMillis(1)))
        .isSameAs(PoolTimer.SYSTEM);
    PoolTimer.Deadline d = PoolTimer.SYSTEM.deadline(Duration.ofHours(1));
    assertThat(d.passed()).isFalse();
    assertThat(d.waitNanos()).as("one wait for the whole span")
        .isGreaterThan(TimeUnit.MINUTES.toNanos(59));
  }

  @Test
  void anInjectedClockMovedPastTheSpanEndsItAndWaitsRecheckIt() {
    HandClock clock = new HandClock();
    PoolTimer timer = PoolTimer.of(clock, Duration.ofMillis(100));
    PoolTimer.Deadline d = timer.deadline(Duration.ofHours(1));
    assertThat(d.passed()).isFalse();
    assertThat(d.waitNanos()).as("capped at the re-check tick")
        .isBetween(1L, TimeUnit.MILLISECONDS.toNanos(100));

    clock.now = clock.now.plus(Duration.ofMinutes(59));
    assertThat(d.passed()).isFalse();
    clock.now = clock.now.plus(Duration.ofMinutes(1));
    assertThat(d.passed()).isTrue();
  }

  @Test
  void realTimeStillBoundsADeadlineOnAClockNobodyMovesOrMovesBack() {
    HandClock clock = new HandClock();
    PoolTimer timer = PoolTimer.of(clock, Duration.ofMillis(100));
    PoolTimer.Deadline d = timer.deadline(Duration.ZERO);
    clock.now = clock.now.minus(Duration.ofHours(1));
    assertThat(d.passed()).isTrue();
    assertThat(d.waitNanos()).isLessThanOrEqualTo(0);
  }

  @Test
  void anUnboundedSpanSaturates() {
    Duration forever = java.time.temporal.ChronoUnit.FOREVER.getDuration();
    HandClock clock = new HandClock();
    PoolTimer.Deadline d = PoolTimer.of(clock, Duration.ofMillis(100)).deadline(forever);
    clock.now = clock.now.plus(Duration.ofDays(365 * 1000));
    assertThat(d.passed()).isFalse();
    assertThat(PoolTimer.SYSTEM.deadline(forever).waitNanos()).isGreaterThan(0);
  }
}
