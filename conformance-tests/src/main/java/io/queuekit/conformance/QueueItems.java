package io.queuekit.conformance;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.PushResult;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Items as text, for the base-queue suites: an item's payload (and identity) is its text, so a
 * test reads as the values it pushes and claims.
 *
 * <p><b>Thread-safety:</b> stateless.
 */
public final class QueueItems {
  private QueueItems() {}

  /** An item whose payload and identity are {@code text} in UTF-8. */
  public static Item item(String text) {
    return Item.of(text.getBytes(UTF_8));
  }

  public static String text(byte[] bytes) {
    return new String(bytes, UTF_8);
  }

  /** The payloads of {@code deliveries} as text, in order. */
  public static List<String> texts(List<Delivery> deliveries) {
    return deliveries.stream().map(d -> text(d.payload())).collect(Collectors.toList());
  }

  /** Pushes each text with no delay, waiting at most {@code timeout}, asserting it was added. */
  public static void pushAll(BaseQueue q, Duration timeout, String... texts) {
    for (String t : texts) {
      assertThat(q.push(item(t), timeout)).as("push %s", t).isEqualTo(PushResult.ADDED);
    }
  }
}
