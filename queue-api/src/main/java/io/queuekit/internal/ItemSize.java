package io.queuekit.internal;

import io.queuekit.ItemTooLargeException;
import io.queuekit.spi.Item;

/**
 * The {@code MAX_ITEM_SIZE} check every push path makes before it stores anything (docs/DESIGN.md
 * §3.2: items over the limit are refused, naming size and limit, and nothing is stored).
 *
 * <p><b>Thread-safety:</b> stateless.
 */
public final class ItemSize {
  private ItemSize() {}

  /**
   * Refuses {@code item} when its payload is larger than {@code maxItemSize} bytes.
   *
   * @param index the item's index in a {@code pushAll}, or -1 for a single push
   * @throws ItemTooLargeException naming the queue, the index, the size and the limit
   */
  public static void check(String queue, Item item, int index, int maxItemSize) {
    int size = item.payload().length;
    if (size > maxItemSize) {
      throw new ItemTooLargeException(queue, index, size, maxItemSize);
    }
  }
}
