package io.queuekit.spi;

import java.time.Instant;

/**
 * One entry of a queue's dead-letter store.
 *
 * @param id the entry's id within the queue's dead-letter store
 * @param payload the item's bytes
 * @param reason why it was dead-lettered (handler's reason, decoder message, delivery limit, poison)
 * @param deliveryCount deliveries that ended unhandled before it died
 * @param recoveryCount crashes it was in flight for
 * @param firstPushed when it was first pushed
 * @param deadAt when it was dead-lettered
 */
public record DeadLetter(
    long id,
    byte[] payload,
    String reason,
    int deliveryCount,
    int recoveryCount,
    Instant firstPushed,
    Instant deadAt) {}
