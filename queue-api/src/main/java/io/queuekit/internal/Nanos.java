package io.queuekit.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * Nanosecond arithmetic that saturates instead of overflowing. Settings may say "no limit" with a
 * duration beyond a {@code long} of nanoseconds (about 292 years, e.g. {@code
 * ChronoUnit.FOREVER}), and a store's state change must never fail half-way on an overflow, so
 * every conversion and sum of waits, timeouts and due times goes through here.
 *
 * <p><b>Thread-safety:</b> stateless.
 */
public final class Nanos {
  private Nanos() {}

  /** {@code d} in nanoseconds: {@link Long#MAX_VALUE} above the range, {@link Long#MIN_VALUE} below. */
  public static long of(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException overflow) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /** {@code d} in nanoseconds, 0 for a negative {@code d}, {@link Long#MAX_VALUE} above the range. */
  public static long ofNonNegative(Duration d) {
    return d.isNegative() ? 0 : of(d);
  }

  /**
   * From {@code from} to {@code to} in nanoseconds, saturating like {@link #of}: what {@code
   * Duration.between(from, to).toNanos()} says, without making the {@code Duration} (per-item
   * waits on a hot path).
   */
  public static long between(Instant from, Instant to) {
    long seconds = to.getEpochSecond() - from.getEpochSecond();
    long nanos = to.getNano() - from.getNano();
    // the seconds of two Instants always differ by a long; only the scaling can overflow
    try {
      return Math.addExact(Math.multiplyExact(seconds, 1_000_000_000L), nanos);
    } catch (ArithmeticException overflow) {
      // near the edge of the range: exact, off the hot path (about 292 years apart)
      java.math.BigInteger exact = java.math.BigInteger.valueOf(seconds)
          .multiply(java.math.BigInteger.valueOf(1_000_000_000L))
          .add(java.math.BigInteger.valueOf(nanos));
      return exact.bitLength() < 64 ? exact.longValueExact()
          : exact.signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /** {@code a + b}, or {@link Long#MAX_VALUE} / {@link Long#MIN_VALUE} where the sum overflows. */
  public static long add(long a, long b) {
    long r = a + b;
    // overflow iff both operands have the same sign and the result's sign differs from it
    if (((a ^ r) & (b ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }
}
