package io.queuekit;

import java.util.Collection;
import java.util.List;

/**
 * Handles batches of items for a {@link WorkerPoolQueue}. Ports Gitea's {@code HandlerFuncT}.
 *
 * <p>{@link #handle} returns the items it could <em>not</em> handle; an empty collection means the
 * whole batch was handled. Returned items are matched to the batch by identity first, then {@code
 * equals}, each batch element at most once; a returned item not in the batch is logged as an error
 * and ignored. A returned {@link PermanentFailure} names an item that is dead-lettered at once.
 * Unhandled items come back after a backoff ({@code RETRY_DELAY}, doubling, jittered, capped at
 * {@code RETRY_DELAY_MAX}) until {@code MAX_DELIVERIES}, if set, dead-letters them.
 *
 * <p>A thrown exception means the whole batch was not handled; it is logged with the queue's name.
 * Throwing a {@link PermanentFailure} dead-letters the item it names and leaves the rest of the
 * batch unhandled.
 *
 * <p><b>Thread-safety:</b> called concurrently from up to {@code MAX_WORKERS} worker threads. A
 * handler should not block indefinitely: at shutdown it is interrupted after {@code
 * SHUTDOWN_TIMEOUT}, and with {@code HANDLER_TIMEOUT} set, after that long. Delivery is
 * at-least-once, so a handler must tolerate seeing an item again (after a crash, or a retry).
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface Handler<T> {

  /**
   * Handles a batch of at most {@code BATCH_LENGTH} items.
   *
   * @param batch the items, in claim order; never empty
   * @return the items not handled (elements of {@code batch}, or {@link PermanentFailure}s naming
   *     them); never null
   * @throws Exception the whole batch was not handled
   */
  Collection<?> handle(List<T> batch) throws Exception;
}
