package io.queuekit;

import java.time.Instant;
import java.util.Optional;

/**
 * One dead letter as an admin sees it.
 *
 * @param id id within the queue's dead-letter store (for replay and purge)
 * @param item the decoded item; empty when it cannot be decoded (then see {@code json})
 * @param json the stored bytes as text (UTF-8, first 2,000 characters)
 * @param reason why it died
 * @param deliveryCount deliveries that ended unhandled
 * @param recoveryCount crashes it was in flight for
 * @param firstPushed first push time
 * @param deadAt when it died
 * @param <T> item type
 */
public record DeadLetterEntry<T>(
    long id,
    Optional<T> item,
    String json,
    String reason,
    int deliveryCount,
    int recoveryCount,
    Instant firstPushed,
    Instant deadAt) {}
