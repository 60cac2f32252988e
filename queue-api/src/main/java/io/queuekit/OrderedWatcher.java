package io.queuekit;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A {@link QueueWatcher} as the manager calls it: each queue is told created at most once, and
 * closed only after it was told created. The manager tells a new watcher of the queues it holds
 * from the thread that called {@code watch}, outside its lock (a watcher may call back into the
 * manager); a queue closing meanwhile on another thread was then told closed first and created
 * after, and a metrics binder kept the meters of a queue that was gone.
 *
 * <p><b>Thread-safety:</b> calls into the wrapped watcher are serialized by this object's lock.
 * {@link #created}'s {@code held} takes the manager's lock inside it; the manager never takes this
 * lock while holding its own.
 */
final class OrderedWatcher {
  private final QueueWatcher watcher;
  /** Queues told created and not yet closed. Guarded by this. */
  private final Set<WorkerPoolQueue<?>> live = Collections.newSetFromMap(new IdentityHashMap<>());

  OrderedWatcher(QueueWatcher watcher) {
    this.watcher = java.util.Objects.requireNonNull(watcher, "watcher");
  }

  /**
   * Tells the watcher {@code queue} was created, unless it was told so already or {@code held}
   * says the manager no longer holds it (closed meanwhile: its close, told first, was a no-op
   * here). A close coming after the check waits for this lock, so it is told after. A throw from
   * the watcher fails a new queue's creation, and its close is then not told to this watcher.
   */
  synchronized void created(WorkerPoolQueue<?> queue, Predicate<WorkerPoolQueue<?>> held) {
    if (live.contains(queue) || !held.test(queue)) {
      return;
    }
    live.add(queue);
    try {
      watcher.created(queue);
    } catch (RuntimeException | Error e) {
      live.remove(queue);
      throw e;
    }
  }

  /** Tells the watcher {@code queue} closed, if it was told it was created. */
  synchronized void closed(WorkerPoolQueue<?> queue) {
    if (live.remove(queue)) {
      watcher.closed(queue);
    }
  }
}
