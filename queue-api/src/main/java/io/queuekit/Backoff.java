package io.queuekit;

import io.queuekit.internal.Nanos;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * The retry delay of docs/DESIGN.md §4.3: before delivery k+1 wait min(RETRY_DELAY × 2^(k−1),
 * RETRY_DELAY_MAX) × a uniform factor in [0.8, 1.2], capped at RETRY_DELAY_MAX, computed without
 * overflow. RETRY_DELAY = 0 retries at once.
 *
 * <p>Thread-safe if the jitter source is.
 */
final class Backoff {
  private final Duration initial;
  private final Duration max;
  private final DoubleSupplier unitRandom;

  /**
   * @param unitRandom uniform values in [0, 1); injected so tests get exact delays
   */
  Backoff(Duration initial, Duration max, DoubleSupplier unitRandom) {
    this.initial = initial;
    this.max = max;
    this.unitRandom = unitRandom;
  }

  /**
   * The delay after the {@code failures}-th unhandled delivery (1 for the first failure).
   */
  Duration delayAfter(int failures) {
    if (initial.isZero() || failures < 1) {
      return Duration.ZERO;
    }
    long initialNanos = Nanos.of(initial);
    long maxNanos = Nanos.of(max);
    int shift = failures - 1;
    long base;
    // initial << shift overflows (into the sign bit) once shift reaches its leading zeros
    if (shift >= Long.numberOfLeadingZeros(initialNanos)) {
      base = maxNanos;
    } else {
      base = Math.min(initialNanos << shift, maxNanos);
    }
    double factor = 0.8 + 0.4 * unitRandom.getAsDouble();
    double jittered = base * factor;
    long nanos = jittered >= maxNanos ? maxNanos : (long) jittered;
    return Duration.ofNanos(nanos);
  }
}
