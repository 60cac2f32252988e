package io.queuekit.postgres;

import io.queuekit.QueueClosedException;
import io.queuekit.QueueInterruptedException;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What one queue's threads in this process know between queries: whether a notification said
 * there is work ({@code w}) or room ({@code r}), whether the process is registered as a waiter
 * and until when that registration is sure to stand, and when the earliest delayed item falls
 * due. Claim loops and waiting producers sleep here and run no query until one of those changes
 * (docs/DESIGN.md §3.7); {@link PgStore}'s listener thread feeds it.
 *
 * <p><b>Thread-safety:</b> every method may be called from any thread; one lock guards the state.
 */
final class PgWaits {
  /** No delayed item known. */
  static final long NO_DUE = Long.MAX_VALUE;
  /** How often a claim loop that knows of a delayed item looks at the (injected) clock. */
  private static final long DUE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final String name;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** A notification (or a claim that took items) says there may be more: look again. */
  private boolean workSignal = true;
  private boolean registered;
  private long registeredUntil = System.nanoTime();
  private long nextDue = NO_DUE;
  /** Counts room notifications: a producer compares the count before and after its push. */
  private long roomSignals;
  private boolean closed;

  PgWaits(String name, Clock clock) {
    this.name = name;
    this.clock = clock;
  }

  /**
   * Whether a claim must query now, and takes the work signal if so; null once closed. A claim
   * that may not wait ({@code noWait}) always queries.
   */
  Boolean mustLook(boolean noWait) {
    lock.lock();
    try {
      if (closed) {
        return null;
      }
      boolean look = workSignal || clock.millis() >= nextDue || !registered
          || System.nanoTime() >= registeredUntil || noWait;
      workSignal = false;
      return look;
    } finally {
      lock.unlock();
    }
  }

  /** A claim took items: more may be ready, so the next claim looks again. */
  void tookItems() {
    lock.lock();
    try {
      workSignal = true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * A claim found nothing ready; {@code due} is the earliest delayed item's due time (null when
   * none); when {@code registered}, the process is now a waiter for at least {@code validNanos}.
   */
  void foundNothing(Long due, boolean registered, long validNanos) {
    lock.lock();
    try {
      nextDue = due == null ? NO_DUE : due;
      if (registered) {
        this.registered = true;
        registeredUntil = Math.max(registeredUntil, System.nanoTime() + validNanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits for a notification, a due item or the deadline; false at the deadline or close. */
  boolean awaitWork(long deadline) {
    lock.lock();
    try {
      while (!workSignal && clock.millis() < nextDue && registered
          && System.nanoTime() < registeredUntil) {
        if (closed) {
          return false;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.awaitNanos(nextDue == NO_DUE ? left : Math.min(left, DUE_CHECK_NANOS));
      }
      return !closed && deadline - System.nanoTime() > 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueInterruptedException(name, e);
    } finally {
      lock.unlock();
    }
  }

  long roomSignals() {
    lock.lock();
    try {
      return roomSignals;
    } finally {
      lock.unlock();
    }
  }

  /** Waits for a room notification after {@code seen}; false at the deadline. */
  boolean awaitRoom(long seen, long deadline) {
    lock.lock();
    try {
      while (roomSignals == seen) {
        if (closed) {
          throw new QueueClosedException(name);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.awaitNanos(left);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueInterruptedException(name, e);
    } finally {
      lock.unlock();
    }
  }

  /** A push made an item ready for this process's claim loop (and deleted its registration). */
  void wakeClaim() {
    lock.lock();
    try {
      workSignal = true;
      registered = false;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Room was freed: producers waiting for it try again. */
  void wakeRoom() {
    lock.lock();
    try {
      roomSignals++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Notifications may have been lost (the listener reconnected): everyone looks again. */
  void wakeAll() {
    lock.lock();
    try {
      workSignal = true;
      registered = false;
      roomSignals++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The queue closed: every waiter returns (claims empty-handed, producers with the error). */
  void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
