package io.queuekit;

import io.queuekit.spi.DeadLetter;
import java.nio.charset.StandardCharsets;
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
    Instant deadAt) {

  /** The length of {@link #json}'s preview, in characters. */
  static final int PREVIEW_CHARS = 2000;

  /**
   * A stored dead letter as an admin sees it: its item decoded by {@code codec} (empty when it
   * cannot be), its text a preview decoded from at most the bytes {@link #PREVIEW_CHARS}
   * characters can take (a multi-megabyte payload is not turned into a String to keep its start).
   */
  static <T> DeadLetterEntry<T> of(DeadLetter d, Codec<T> codec) {
    Optional<T> item;
    try {
      item = Optional.ofNullable(codec.decode(d.payload()));
    } catch (Exception e) {
      item = Optional.empty();
    }
    byte[] p = d.payload();
    String text = new String(p, 0, Math.min(p.length, 4 * PREVIEW_CHARS + 4),
        StandardCharsets.UTF_8);
    if (text.length() > PREVIEW_CHARS) {
      text = text.substring(0, PREVIEW_CHARS);
    }
    return new DeadLetterEntry<>(d.id(), item, text, d.reason(), d.deliveryCount(),
        d.recoveryCount(), d.firstPushed(), d.deadAt());
  }
}
