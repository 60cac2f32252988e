package io.queuekit;

/**
 * Observes what happens to a queue's items: what metrics and admin views build on. Every method
 * has an empty default, so a listener overrides only what it needs.
 *
 * <p><b>Thread-safety:</b> called from worker threads and the claim loop (on {@code immediate}
 * queues: the pushing thread), concurrently; calls for
 * one item arrive in the order the events happened ({@link #onPushed} excepted: it is called after
 * the store took the item, when a worker may already have handled it). A listener must be quick
 * and must not throw: an exception is logged and otherwise ignored.
 *
 * <p>Listeners come from the {@link QueueSpec} or are added to a running queue with {@link
 * WorkerPoolQueue#addListener}; with none, the pool builds no event and reads no clock for them.
 *
 * @param <T> the item type
 */
public interface QueueListener<T> {

  /** The handler handled the item; it has been acknowledged. */
  default void onHandled(ItemEvent<T> event) {}

  /** The item was not handled and was released for another delivery after {@code delay}. */
  default void onRetry(ItemEvent<T> event) {}

  /** The item went to the dead-letter store for {@code reason} (and {@code cause}). */
  default void onDeadLettered(ItemEvent<T> event) {}

  /** A delivery whose item was in flight during a crash was claimed (recovery count &gt; 0). */
  default void onRecovered(ItemEvent<T> event) {}

  /**
   * One item was pushed (push, offer, pushAll, pushDelayed) and became {@code result}; a push that
   * gave up waiting for room ({@link QueueFullException}) counts as {@link PushResult#FULL}. Called
   * in the pushing thread, once per item; not called for a push that failed otherwise.
   */
  default void onPushed(String queue, PushResult result) {}

  /** A worker's handler call returned or threw (not called on {@code immediate} queues). */
  default void onBatch(BatchEvent event) {}

  /** A settle call found its delivery no longer in flight (late ack after shutdown, recovery). */
  default void onStale(ItemEvent<T> event) {}
}
