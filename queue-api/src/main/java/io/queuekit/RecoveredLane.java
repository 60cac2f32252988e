package io.queuekit;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The one lane recovered deliveries (recovery count &gt; 0) run in, process-wide (DESIGN §4.3): at
 * most one runs at a time in the whole process, across queues, so when the process dies only the
 * item whose handler was running gains a recovery. The claim loop holding the lane gives it up when
 * its recovered batch finished (or at its shutdown); the lane then goes to the claim loops waiting
 * for it, in the order they asked.
 *
 * <p>Thread-safe. Lock order: a claim loop's own lock, then this.
 */
final class RecoveredLane {
  static final RecoveredLane PROCESS = new RecoveredLane();

  private ClaimLoop holder; // guarded by this
  private final Deque<ClaimLoop> waiting = new ArrayDeque<>(); // guarded by this

  /** Takes the lane for {@code loop}, or queues it to be offered the lane later. */
  synchronized boolean tryAcquire(ClaimLoop loop) {
    if (holder == null) {
      holder = loop;
      waiting.remove(loop);
      return true;
    }
    if (holder != loop && !waiting.contains(loop)) {
      waiting.add(loop);
    }
    return false;
  }

  /** Gives the lane up if {@code loop} holds it, and offers it to the loops waiting for it. */
  void release(ClaimLoop loop) {
    synchronized (this) {
      if (holder != loop) {
        return;
      }
      holder = null;
    }
    offer();
  }

  /** {@code loop} is stopping: gives the lane up if it holds it and stops waiting for it. */
  void leave(ClaimLoop loop) {
    synchronized (this) {
      waiting.remove(loop);
    }
    release(loop);
  }

  /** Offers the free lane to waiting loops, in order, until one takes it or none is left. */
  private void offer() {
    while (true) {
      ClaimLoop next;
      synchronized (this) {
        if (holder != null) {
          return;
        }
        next = waiting.poll();
      }
      if (next == null || next.dispatchRecovered()) {
        return;
      }
    }
  }
}
