package io.queuekit;

/**
 * Observes what happens to a queue's items: what metrics and admin views build on. Every method
 * has an empty default, so a listener overrides only what it needs.
 *
 * <p><b>Thread-safety:</b> called from worker threads and the claim loop (on {@code immediate}
 * queues: the pushing thread), concurrently; calls for
 * one item arrive in the order the events happened. A listener must be quick and must not throw:
 * an exception is logged and otherwise ignored.
 *
 * @param <T> the item type
 */
public interface QueueListener<T> {

  /** The handler handled the item; it has been acknowledged. */
  default void onHandled(ItemEvent<T> event) {}

  /** The item was not handled and was released for another delivery after {@code delay}. */
  default void onRetry(ItemEvent<T> event) {}

  /** The item went to the dead-letter store for {@code reason}. */
  default void onDeadLettered(ItemEvent<T> event) {}

  /** A delivery whose item was in flight during a crash was claimed (recovery count &gt; 0). */
  default void onRecovered(ItemEvent<T> event) {}

  /** A settle call found its delivery no longer in flight (late ack after shutdown, recovery). */
  default void onStale(ItemEvent<T> event) {}
}
