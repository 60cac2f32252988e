package io.queuekit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static Backoff backoff(Duration initial, Duration max, double unit) {
    return new Backoff(initial, max, () -> unit);
  }

  @Test
  void doublesFromTheInitialDelayWithoutJitterAtTheMidpoint() {
    Backoff b = backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), 0.5);
    assertThat(b.delayAfter(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(b.delayAfter(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(b.delayAfter(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(b.delayAfter(9)).isEqualTo(Duration.ofSeconds(256));
    assertThat(b.delayAfter(10)).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void jitterStaysWithinTwentyPercentAndNeverAboveTheCap() {
    Duration max = Duration.ofSeconds(30);
    assertThat(backoff(Duration.ofSeconds(10), max, 0.0).delayAfter(1)).isEqualTo(Duration.ofSeconds(8));
    assertThat(backoff(Duration.ofSeconds(10), max, 0.999999).delayAfter(1))
        .isBetween(Duration.ofMillis(11_999), Duration.ofSeconds(12));
    assertThat(backoff(Duration.ofSeconds(10), max, 0.999999).delayAfter(2))
        .isBetween(Duration.ofMillis(23_999), Duration.ofSeconds(24));
    assertThat(backoff(Duration.ofSeconds(10), max, 0.999999).delayAfter(3)).isEqualTo(max);
    assertThat(backoff(Duration.ofSeconds(10), max, 0.0).delayAfter(3)).isEqualTo(Duration.ofSeconds(24));
  }

  @Test
  void hugeAttemptCountsDoNotOverflow() {
    Backoff b = backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), 0.5);
    assertThat(b.delayAfter(63)).isEqualTo(Duration.ofMinutes(5));
    assertThat(b.delayAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(5));
    // 100 years doubled still fits in a long of nanoseconds; doubled again it would not.
    Duration century = Duration.ofDays(36_500);
    Backoff huge = backoff(century, Duration.ofDays(91_250), 0.5);
    assertThat(huge.delayAfter(2)).isEqualTo(century.multipliedBy(2));
    assertThat(huge.delayAfter(3)).isEqualTo(Duration.ofDays(91_250));
  }

  @Test
  void zeroRetryDelayRetriesAtOnce() {
    Backoff b = backoff(Duration.ZERO, Duration.ofMinutes(5), 0.9);
    assertThat(b.delayAfter(1)).isZero();
    assertThat(b.delayAfter(40)).isZero();
  }
}
