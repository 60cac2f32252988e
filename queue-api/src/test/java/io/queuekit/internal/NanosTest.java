package io.queuekit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NanosTest {
  private static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();

  @Test
  void durationsBeyondALongOfNanosSaturate() {
    assertThat(Nanos.of(Duration.ofSeconds(1, 5))).isEqualTo(1_000_000_005L);
    assertThat(Nanos.of(FOREVER)).isEqualTo(Long.MAX_VALUE);
    assertThat(Nanos.of(FOREVER.negated())).isEqualTo(Long.MIN_VALUE);
    assertThat(Nanos.of(Duration.ofNanos(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
    assertThat(Nanos.of(Duration.ofNanos(Long.MAX_VALUE).plusNanos(1))).isEqualTo(Long.MAX_VALUE);
    assertThat(Nanos.of(Duration.ofNanos(Long.MIN_VALUE))).isEqualTo(Long.MIN_VALUE);
    assertThat(Nanos.of(Duration.ofNanos(Long.MIN_VALUE).minusNanos(1))).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void aNegativeDurationIsZeroWhereOnlyWaitsMakeSense() {
    assertThat(Nanos.ofNonNegative(Duration.ofMillis(-1))).isZero();
    assertThat(Nanos.ofNonNegative(FOREVER.negated())).isZero();
    assertThat(Nanos.ofNonNegative(Duration.ZERO)).isZero();
    assertThat(Nanos.ofNonNegative(FOREVER)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void betweenTwoInstantsEqualsDurationBetweenClampedToALong() {
    java.time.Instant t = java.time.Instant.parse("2026-12-04T10:00:00.000000500Z");
    assertThat(Nanos.between(t, t.plusNanos(1_500))).isEqualTo(1_500);
    assertThat(Nanos.between(t.plusSeconds(2), t.plusNanos(1))).isEqualTo(-1_999_999_999L);
    assertThat(Nanos.between(java.time.Instant.MIN, java.time.Instant.MAX)).isEqualTo(Long.MAX_VALUE);
    assertThat(Nanos.between(java.time.Instant.MAX, java.time.Instant.MIN)).isEqualTo(Long.MIN_VALUE);
    // just inside the range, where seconds times 10^9 alone overflows but the sum does not
    java.time.Instant edge = java.time.Instant.ofEpochSecond(Long.MAX_VALUE / 1_000_000_000L + 1,
        0);
    java.time.Instant from = java.time.Instant.ofEpochSecond(0, 999_999_999);
    assertThat(Nanos.between(from, edge))
        .isEqualTo(Duration.between(from, edge).toNanos());
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    for (int i = 0; i < 10_000; i++) {
      java.time.Instant a = java.time.Instant.ofEpochSecond(r.nextLong() >> r.nextInt(30, 64),
          r.nextInt(1_000_000_000));
      java.time.Instant b = java.time.Instant.ofEpochSecond(r.nextLong() >> r.nextInt(30, 64),
          r.nextInt(1_000_000_000));
      assertThat(Nanos.between(a, b)).as("seed %d: %s to %s", seed, a, b)
          .isEqualTo(Nanos.of(Duration.between(a, b)));
    }
  }

  @Test
  void additionSaturatesAtLongMaxAndMin() {
    assertThat(Nanos.add(Long.MAX_VALUE, 1)).isEqualTo(Long.MAX_VALUE);
    assertThat(Nanos.add(Long.MAX_VALUE, Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    assertThat(Nanos.add(Long.MAX_VALUE - 1, 1)).isEqualTo(Long.MAX_VALUE);
    assertThat(Nanos.add(Long.MIN_VALUE, -1)).isEqualTo(Long.MIN_VALUE);
    assertThat(Nanos.add(Long.MIN_VALUE, Long.MIN_VALUE)).isEqualTo(Long.MIN_VALUE);
    assertThat(Nanos.add(Long.MIN_VALUE + 1, -1)).isEqualTo(Long.MIN_VALUE);
    assertThat(Nanos.add(Long.MAX_VALUE, Long.MIN_VALUE)).isEqualTo(-1);
    assertThat(Nanos.add(-5, 3)).isEqualTo(-2);
  }

  @Test
  void additionEqualsExactAdditionClampedForRandomOperands() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    for (int i = 0; i < 10_000; i++) {
      long a = r.nextLong() >> r.nextInt(64);
      long b = r.nextLong() >> r.nextInt(64);
      java.math.BigInteger exact = java.math.BigInteger.valueOf(a).add(java.math.BigInteger.valueOf(b));
      long expected = exact.max(java.math.BigInteger.valueOf(Long.MIN_VALUE))
          .min(java.math.BigInteger.valueOf(Long.MAX_VALUE)).longValueExact();
      assertThat(Nanos.add(a, b)).as("seed %d: %d + %d", seed, a, b).isEqualTo(expected);
    }
  }
}
