package io.queuekit;

/** An item's encoded size exceeds {@code MAX_ITEM_SIZE}; nothing was stored. */
public class ItemTooLargeException extends QueueException {
  private static final long serialVersionUID = 1L;

  private final int size;
  private final int limit;

  public ItemTooLargeException(String queue, int index, int size, int limit) {
    super("item " + (index >= 0 ? "at index " + index + " " : "") + "of queue \"" + queue
        + "\" is " + size + " bytes, larger than MAX_ITEM_SIZE=" + limit + "; nothing was stored");
    this.size = size;
    this.limit = limit;
  }

  public int size() {
    return size;
  }

  public int limit() {
    return limit;
  }
}
