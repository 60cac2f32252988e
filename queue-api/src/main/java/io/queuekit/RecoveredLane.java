package io.queuekit;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The one lane recovered deliveries (recovery count &gt; 0) run in (docs/DESIGN.md §4.3): at most one runs
 * at a time across every queue of a {@link QueueManager} — a service's process — so when the
 * process dies only the item whose handler was running gains a recovery. One per manager, not a
 * global: two managers in one JVM (tests, embedded services) do not block each other.
 *
 * <p>A claim loop takes the lane just before it dispatches a recovered delivery and gives it up
 * when that batch finished, when {@code HANDLER_TIMEOUT} has released it (the item is no longer in
 * flight, so a crash would not count a recovery for it, even while a handler that ignores the
 * interrupt still runs: the lane bounds recovered deliveries in flight, not stuck threads), or at
 * its shutdown. A loop that found the lane taken gives its
 * recovered deliveries back and waits; every waiting loop is told when the lane is free, and the
 * first to claim takes it.
 *
 * <p>Thread-safe. {@link ClaimLoop#laneFreed()} is called without this lock held.
 */
final class RecoveredLane {
  private ClaimLoop holder; // guarded by this
  private final Set<ClaimLoop> waiting = new LinkedHashSet<>(); // guarded by this

  /** Takes the lane for {@code loop} if it is free (or already its); else records that it waits. */
  synchronized boolean tryAcquire(ClaimLoop loop) {
    if (holder == null || holder == loop) {
      holder = loop;
      waiting.remove(loop);
      return true;
    }
    waiting.add(loop);
    return false;
  }

  /** Gives the lane up if {@code loop} holds it, and tells every waiting loop it is free. */
  void release(ClaimLoop loop) {
    List<ClaimLoop> wake;
    synchronized (this) {
      if (holder != loop) {
        return;
      }
      holder = null;
      wake = List.copyOf(waiting);
    }
    for (ClaimLoop w : wake) {
      w.laneFreed();
    }
  }

  /** {@code loop} is stopping: it stops waiting, and gives the lane up if it holds it. */
  void leave(ClaimLoop loop) {
    synchronized (this) {
      waiting.remove(loop);
    }
    release(loop);
  }
}
