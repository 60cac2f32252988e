package io.queuekit;

import io.queuekit.internal.Nanos;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * When the worker pool's own deadlines pass: {@code BATCH_DEBOUNCE} of a partial batch ({@link
 * ClaimLoop}) and {@code WORKER_IDLE_TIMEOUT} of an idle worker ({@link WorkerGroup}). A deadline
 * passes once its span has passed on the monotonic clock ({@code System.nanoTime}) or on the
 * queue's injected {@link Clock}, whichever comes first.
 *
 * <p>Why both. With the system clock the two agree, so only the monotonic one is read: an NTP step
 * of the wall clock neither holds a batch back nor ends it early, and the cost is what it was
 * before this class (one timed wait per deadline, no clock read, no extra wake-up). With another
 * clock (a test's hand-moved clock), moving it past a deadline ends the deadline without real
 * waiting, while real time still bounds it: a clock nobody moves, or one slower than real time,
 * never holds a batch or an idle worker longer than the setting says.
 *
 * <p>Why a re-check tick. A {@link Clock} cannot tell anyone it moved, and a hook for that in the
 * public API would be surface for tests only. So with an injected clock a waiter wakes at least
 * every {@code recheck} (the manager's {@code claimWait}, which already bounds how late a blocked
 * claim notices such a clock) to read it again; with the system clock it never wakes early.
 *
 * <p><b>Thread-safety:</b> immutable; each {@link Deadline} is used by one thread.
 */
final class PoolTimer {
  /** The system clock: only {@code System.nanoTime} is read, and waits are never cut short. */
  static final PoolTimer SYSTEM = new PoolTimer(null, Long.MAX_VALUE);

  /** The injected clock, or null for the system clock (never read then). */
  private final Clock clock;
  private final long recheckNanos;

  private PoolTimer(Clock clock, long recheckNanos) {
    this.clock = clock;
    this.recheckNanos = recheckNanos;
  }

  /**
   * The pool's timer for a queue reading {@code clock}.
   *
   * @param recheck how often a waiter reads an injected clock again (ignored for the system clock)
   */
  static PoolTimer of(Clock clock, Duration recheck) {
    if (isSystem(clock)) {
      return SYSTEM;
    }
    return new PoolTimer(clock, Math.max(1, Nanos.of(recheck)));
  }

  /** {@link Clock#systemUTC()} and {@link Clock#systemDefaultZone()}, in any zone. */
  private static boolean isSystem(Clock clock) {
    return clock.getClass() == Clock.systemUTC().getClass();
  }

  /** A deadline {@code span} from now, on both clocks. */
  Deadline deadline(Duration span) {
    return new Deadline(System.nanoTime(), Nanos.of(span),
        clock == null ? null : clock.instant(), span);
  }

  /** One deadline; see {@link PoolTimer}. Used by one thread. */
  final class Deadline {
    private final long startNanos;
    private final long spanNanos;
    /** When it began on the injected clock; null with the system clock. */
    private final Instant startInstant;
    private final Duration span;

    private Deadline(long startNanos, long spanNanos, Instant startInstant, Duration span) {
      this.startNanos = startNanos;
      this.spanNanos = spanNanos;
      this.startInstant = startInstant;
      this.span = span;
    }

    /** Whether the span has passed on either clock. */
    boolean passed() {
      if (System.nanoTime() - startNanos >= spanNanos) {
        return true;
      }
      // a clock moved back never ends the deadline early: only real time bounds it then
      return startInstant != null
          && Duration.between(startInstant, clock.instant()).compareTo(span) >= 0;
    }

    /**
     * How long to wait (real nanoseconds) before looking at {@link #passed()} again: what is left of
     * the span on the monotonic clock, at most the re-check tick with an injected clock; 0 or less
     * once it has passed in real time.
     */
    long waitNanos() {
      long left = spanNanos - (System.nanoTime() - startNanos);
      return Math.min(left, recheckNanos);
    }
  }
}
