package io.queuekit;

import java.time.Duration;
import java.util.Optional;

/**
 * What a {@link QueueListener} is told about one item.
 *
 * @param queue the queue's name
 * @param item the decoded item; empty when it could not be decoded
 * @param deliveryId the delivery the event is about; 0 on {@code immediate} queues, which store
 *     nothing
 * @param deliveryCount earlier deliveries that ended unhandled (after this event, for retries)
 * @param recoveryCount crashes the item was in flight for
 * @param delay retries: the backoff before the next delivery; otherwise zero
 * @param reason dead letters: why; otherwise empty
 * @param cause dead letters: why, as one of a closed set (a metric's tag); otherwise empty
 * @param <T> the item type
 */
public record ItemEvent<T>(
    String queue,
    Optional<T> item,
    long deliveryId,
    int deliveryCount,
    int recoveryCount,
    Duration delay,
    String reason,
    Optional<DeadLetterCause> cause) {

  /** An event that is not about a dead letter: no cause. */
  public ItemEvent(String queue, Optional<T> item, long deliveryId, int deliveryCount,
      int recoveryCount, Duration delay, String reason) {
    this(queue, item, deliveryId, deliveryCount, recoveryCount, delay, reason, Optional.empty());
  }
}
