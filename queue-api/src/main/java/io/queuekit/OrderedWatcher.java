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
 * {@link #existing} takes the manager's lock inside it; the manager never takes this lock while
 * holding its own.
 */
final class OrderedWatcher implements QueueWatcher {
  private final QueueWatcher watcher;
  /** Queues told created and not yet closed. Guarded by this. */
  private final Set<WorkerPoolQueue<?>> live = Collections.newSetFromMap(new IdentityHashMap<>());

  OrderedWatcher(QueueWatcher watcher) {
    this.watcher = java.util.Objects.requireNonNull(watcher, "watcher");
  }

  /** A queue just created: told before it starts; a throw fails its creation. */
  @Override
  public synchronized void created(WorkerPoolQueue<?> queue) {
    if (!live.add(queue)) {
      return;
    }
    try {
      watcher.created(queue);
    } catch (RuntimeException | Error e) {
      live.remove(queue); // not told after all: its close is not told either
      throw e;
    }
  }

  /**
   * A queue the manager held when this watcher was added: told created only if {@code held}
   * still says so. Its close, if it comes meanwhile, waits for this lock, so it is told after.
   */
  synchronized void existing(WorkerPoolQueue<?> queue, Predicate<WorkerPoolQueue<?>> held) {
    if (held.test(queue)) {
      created(queue);
    }
  }

  @Override
  public synchronized void closed(WorkerPoolQueue<?> queue) {
    if (live.remove(queue)) {
      watcher.closed(queue);
    }
  }
}
