package io.queuekit;

import java.time.Instant;
import java.util.Objects;

/**
 * One item of a {@link DeliveryHandler}'s batch, with what the queue knows of this delivery of it,
 * so a handler can be idempotent (tell a first attempt from a retry, and a retry from a
 * redelivery after a crash, which may have done its work already) or give up gracefully on a late
 * attempt. The delivery id matches the {@link ItemEvent#deliveryId()} listeners hear, for
 * correlating log lines; being new on every delivery, it is no idempotency key across repeats.
 *
 * <p>Equality is the record's: two elements are equal only if item, delivery id and counts are.
 * Delivery ids are unique within a queue, so a batch never holds two equal elements.
 *
 * @param item the decoded item; never null
 * @param deliveryId names this claim of the item: different on every delivery, never reused by the
 *     queue (a retry, or a redelivery after a crash, gets a new one); 0 on {@code immediate}
 *     queues, which store nothing
 * @param deliveryCount earlier deliveries of the item that ended unhandled: 0 on the first
 *     attempt, 1 on the first retry (BullMQ's {@code attemptsMade}, asynq's {@code
 *     GetRetryCount}; River's {@code job.Attempt} is this plus one). With {@code MAX_DELIVERIES}
 *     set, the attempt with {@code deliveryCount == MAX_DELIVERIES - 1} is the last: not handled
 *     then, the item is dead-lettered. A delivery given back at shutdown, or cut short by a
 *     crash, does not count
 * @param recoveryCount times the item was in flight when its consumer died (a crash, a killed
 *     process) and the store recovered it; 0 on {@code channel} and {@code immediate} queues,
 *     which lose their items with the process. At {@code MAX_RECOVERIES} it is quarantined
 * @param firstPushed when the item was first pushed, on the queue's clock; kept across retries and
 *     recoveries. On {@code immediate} queues, when this push
 *     began
 * @param <T> the item type
 */
public record Delivered<T>(
    T item, long deliveryId, int deliveryCount, int recoveryCount, Instant firstPushed) {
  public Delivered {
    Objects.requireNonNull(item, "item");
    Objects.requireNonNull(firstPushed, "firstPushed");
  }
}
