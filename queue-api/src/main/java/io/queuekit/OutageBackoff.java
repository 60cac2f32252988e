package io.queuekit;

import java.util.concurrent.TimeUnit;

/**
 * How long the worker pool waits before trying a failing store call again (docs/DESIGN.md §3.7: capped
 * backoff, 100 ms → 5 s, doubling). Shared by the claim loop and by settlement retries so an
 * outage is paced the same wherever it is met.
 *
 * <p><b>Thread-safety:</b> stateless; callers keep the previous wait.
 */
final class OutageBackoff {
  static final long MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(5);

  private OutageBackoff() {}

  /** The wait after {@code previousNanos} (0: the first failure of an outage). */
  static long next(long previousNanos) {
    return previousNanos == 0 ? MIN_NANOS : Math.min(MAX_NANOS, previousNanos * 2);
  }
}
