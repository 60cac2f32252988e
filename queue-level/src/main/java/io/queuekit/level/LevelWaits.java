package io.queuekit.level;

import io.queuekit.QueueClosedException;
import io.queuekit.QueueInterruptedException;
import io.queuekit.level.QueueState.Snapshot;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where a LevelDB queue's claims wait for items and its producers for room. Each committed write
 * round that touched the queue publishes the queue's counts here ({@link #publish}); a round that
 * left k items ready wakes at most k claim waiters, never all of them, and one that left room
 * wakes as many producers as there is room. Nothing polls: a claim waits for a signal, bounded by
 * the earliest delayed item's due time on the queue's clock.
 *
 * <p><b>Thread-safety:</b> every method may be called from any thread; one lock guards the state.
 */
final class LevelWaits {
  /** The least a claim waits for a due time, so a clock that stands still never spins a waiter. */
  private static final long MIN_DUE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  /** Why {@link #awaitItems} returned. */
  enum Wake { READY, TIMEOUT, CLOSED }

  private final String name;
  private final int length;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition itemsReady = lock.newCondition();
  private final Condition roomFree = lock.newCondition();
  private Snapshot snapshot = new Snapshot(0, 0, 0, 0, 0, Snapshot.NONE, Snapshot.NONE);
  private int itemWaiters;
  private int roomWaiters;
  private boolean closed;

  LevelWaits(String name, int length, Clock clock) {
    this.name = name;
    this.length = length;
    this.clock = clock;
  }

  /** Called under the combining lock after each committed round that touched this queue. */
  void publish(Snapshot s) {
    lock.lock();
    try {
      Snapshot before = snapshot;
      snapshot = s;
      if (itemWaiters > 0) {
        long wake = Math.min(s.ready(), itemWaiters);
        if (wake == 0 && s.earliestDue() < before.earliestDue()) {
          wake = 1; // an earlier due time: one waiter shortens its wait
        }
        for (long i = 0; i < wake; i++) {
          itemsReady.signal();
        }
      }
      if (roomWaiters > 0 && s.waiting() < length) {
        long wake = Math.min(length - s.waiting(), roomWaiters);
        for (long i = 0; i < wake; i++) {
          roomFree.signal();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** The counts the last committed round published. */
  Snapshot current() {
    lock.lock();
    try {
      return snapshot;
    } finally {
      lock.unlock();
    }
  }

  /** Waits for a ready item, a due time passing, the deadline or close. */
  Wake awaitItems(long deadline) {
    lock.lock();
    try {
      while (true) {
        if (closed) {
          return Wake.CLOSED;
        }
        Snapshot s = snapshot;
        if (s.ready() > 0) {
          return Wake.READY;
        }
        long remaining = deadline - System.nanoTime();
        long bound = remaining;
        if (s.earliestDue() != Snapshot.NONE) {
          // Due times are on the queue's clock; the wait is real time: min(wait, due - now).
          long untilDue = s.earliestDue() - Records.nanos(clock.instant());
          if (untilDue <= 0) {
            return Wake.READY;
          }
          bound = Math.min(bound, Math.max(untilDue, MIN_DUE_WAIT_NANOS));
        }
        if (remaining <= 0) {
          return Wake.TIMEOUT;
        }
        itemWaiters++;
        try {
          itemsReady.awaitNanos(bound);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new QueueInterruptedException(name, e);
        } finally {
          itemWaiters--;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits for room; false at the deadline; throws once the queue closed. */
  boolean awaitRoom(long deadline) {
    lock.lock();
    try {
      while (true) {
        if (closed) {
          throw new QueueClosedException(name);
        }
        if (snapshot.waiting() < length) {
          return true;
        }
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return false;
        }
        roomWaiters++;
        try {
          roomFree.awaitNanos(remaining);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new QueueInterruptedException(name, e);
        } finally {
          roomWaiters--;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Threads blocked in claim (tests wait for this instead of sleeping). */
  int itemWaiters() {
    lock.lock();
    try {
      return itemWaiters;
    } finally {
      lock.unlock();
    }
  }

  /** Threads blocked in push waiting for room. */
  int roomWaiters() {
    lock.lock();
    try {
      return roomWaiters;
    } finally {
      lock.unlock();
    }
  }

  /** Every waiter returns: claims empty-handed, producers with {@link QueueClosedException}. */
  void close() {
    lock.lock();
    try {
      closed = true;
      itemsReady.signalAll();
      roomFree.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
