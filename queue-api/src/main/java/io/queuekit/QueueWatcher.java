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

  /** {@code queue} exists (it may already run). */
  void created(WorkerPoolQueue<?> queue);

  /** {@code queue} has closed (shut down, or its manager closed). */
  default void closed(WorkerPoolQueue<?> queue) {}
}
