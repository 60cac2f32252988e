package io.queuekit.internal;

import java.util.concurrent.TimeUnit;

/**
 * How long to wait before trying an unreachable store again (docs/DESIGN.md §3.7): capped
 * exponential backoff, 100 ms doubling to 5 s. The worker pool's claim loop and settlement
 * retries, the Redis call path and the PostgreSQL listener all pace an outage with it, so an
 * outage looks the same whichever backend meets it.
 *
 * <p><b>Thread-safety:</b> stateless; each caller keeps its previous wait (0 when none).
 */
public final class OutageBackoff {
  /** The first wait of an outage. */
  public static final long MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** The longest wait: an outage is noticed to end within this. */
  public static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(5);

  private OutageBackoff() {}

  /**
   * The wait after {@code previousNanos}: {@link #MIN_NANOS} for 0 (the first failure of an
   * outage) or anything below it, then doubling, never above {@link #MAX_NANOS}.
   */
  public static long next(long previousNanos) {
    if (previousNanos < MIN_NANOS) {
      return MIN_NANOS;
    }
    // compared before doubling: a previous wait above MAX_NANOS / 2 must not overflow
    return previousNanos >= MAX_NANOS / 2 ? MAX_NANOS : previousNanos * 2;
  }
}
