package io.queuekit;

import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.StoreEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Carries a store's {@link StoreEvents} to its worker pool. A store may report a dead letter while
 * it is still being opened (quarantine at open), before the pool that owns the listeners exists:
 * the relay keeps those until {@link #attach} and then hands them over in order, and forwards
 * every later one at once.
 *
 * <p>Thread-safe. The target is called outside the lock, so a slow listener never blocks a store
 * thread that reports meanwhile for longer than the hand-over of the buffered events.
 */
final class StoreEventRelay implements StoreEvents {
  private Consumer<DeadLetter> target; // guarded by this; set once the held events are handed over
  private List<DeadLetter> pending = new ArrayList<>(); // guarded by this; null once handed over
  private boolean attached; // guarded by this

  @Override
  public void deadLettered(DeadLetter letter) {
    Consumer<DeadLetter> t;
    synchronized (this) {
      if (target == null) {
        pending.add(letter);
        return;
      }
      t = target;
    }
    t.accept(letter);
  }

  /**
   * Sends the events held so far to {@code to}, then every later one. Called once. An event
   * reported while the held ones are handed over joins them, after them: until the last is
   * handed over, later events are held too (set at once, the target took a store thread's new
   * event before the held ones still being handed over).
   */
  void attach(Consumer<DeadLetter> to) {
    synchronized (this) {
      if (attached) {
        throw new IllegalStateException("already attached");
      }
      attached = true;
    }
    boolean handedOver = false;
    try {
      while (true) {
        List<DeadLetter> held;
        synchronized (this) {
          if (pending.isEmpty()) {
            pending = null;
            target = to;
            handedOver = true;
            return;
          }
          held = pending;
          pending = new ArrayList<>();
        }
        held.forEach(to);
      }
    } finally {
      if (!handedOver) {
        // the target threw: what it was not handed is lost with the throw, but later events
        // still reach it (held on, they would pile up unseen for the queue's life)
        synchronized (this) {
          pending = null;
          target = to;
        }
      }
    }
  }
}
