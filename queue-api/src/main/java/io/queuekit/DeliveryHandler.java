package io.queuekit;

import java.util.Collection;
import java.util.List;

/**
 * The optional handler form that also learns, per item, its delivery: attempt, recoveries, first
 * push and delivery id ({@link Delivered}). For handlers that must be idempotent or give up
 * gracefully; everything else should use the plain {@link Handler}, which is the default and
 * costs nothing extra. Given to {@link QueueSpec#simpleDelivered} or {@link
 * QueueSpec#uniqueDelivered}:
 *
 * <pre>{@code
 * manager.create(QueueSpec.simpleDelivered("webhook", Hook.class, batch -> {
 *   List<Object> unhandled = new ArrayList<>();
 *   for (Delivered<Hook> d : batch) {
 *     if (d.recoveryCount() > 0 && sender.alreadySent(d.item())) {
 *       continue; // in flight when a process died: it may have gone out already
 *     }
 *     if (!sender.send(d.item())) {
 *       unhandled.add(d.deliveryCount() < 4 ? d : new PermanentFailure(d, "gave up after 5 attempts"));
 *     }
 *   }
 *   return unhandled;
 * }));
 * }</pre>
 *
 * <p>Everything {@link Handler} says holds here, with the batch's elements in place of its items:
 * {@link #handle} returns the elements it could <em>not</em> handle (or their items: a returned
 * object is matched to the batch's elements first, then to their items; by identity, then
 * {@code equals}; each element at most once), an empty collection if it handled all; a {@link
 * PermanentFailure} may name an element or its item. A thrown exception leaves the whole batch
 * unhandled.
 *
 * <p><b>Thread-safety:</b> called concurrently from up to {@code MAX_WORKERS} worker threads (on
 * {@code immediate} queues, from the pushing threads). <b>Ordering:</b> the batch is in claim
 * order. <b>Durability:</b> at-least-once, as for {@link Handler}: the delivery id of a repeat
 * differs, so an idempotency key that must survive a repeat is built from the item, not the id.
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface DeliveryHandler<T> {

  /**
   * Handles a batch of at most {@code BATCH_LENGTH} items.
   *
   * @param batch the items with their deliveries, in claim order; never empty
   * @return the elements (or items) not handled, or {@link PermanentFailure}s naming them; never
   *     null
   * @throws Exception the whole batch was not handled
   */
  Collection<?> handle(List<Delivered<T>> batch) throws Exception;
}
