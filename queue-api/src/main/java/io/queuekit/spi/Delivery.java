package io.queuekit.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * One claim of one item: what {@link BaseQueue#claim} returns and what {@code ack}, {@code
 * release}, {@code unclaim} and {@code deadLetter} take back.
 *
 * @param id the delivery id: names this claim of this item and is never reused by the queue, so a
 *     settle call carrying an old id is {@link Outcome#STALE}
 * @param payload the item's bytes, as pushed
 * @param deliveryCount earlier deliveries of the item that ended unhandled
 * @param recoveryCount times the item was in flight when its consumer died
 * @param firstPushed when the item was first pushed (queue clock); kept across retries
 */
public record Delivery(
    long id, byte[] payload, int deliveryCount, int recoveryCount, Instant firstPushed) {
  public Delivery {
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(firstPushed, "firstPushed");
  }
}
