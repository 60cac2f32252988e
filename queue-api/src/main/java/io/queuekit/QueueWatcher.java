package io.queuekit;

/**
 * Told of the queues a {@link QueueManager} holds: each one already there when it is added with
 * {@link QueueManager#watch}, each one created later, and each one that closes. What metrics
 * binders and admin views hook into.
 *
 * <p><b>Thread-safety:</b> called from the thread that creates or closes the queue; an
 * implementation must be thread-safe and quick, and must not call back into the manager's
 * create or close.
 */
public interface QueueWatcher {

  /**
   * {@code queue} exists: one already there when the watcher was added (it may run), or one just
   * created, told before it starts claiming (so a listener added now hears all its items). An
   * exception thrown for a new queue fails its creation.
   */
  void created(WorkerPoolQueue<?> queue);

  /** {@code queue} has closed (shut down, or its manager closed). */
  default void closed(WorkerPoolQueue<?> queue) {}
}
