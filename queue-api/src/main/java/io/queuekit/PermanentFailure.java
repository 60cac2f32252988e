package io.queuekit;

import java.util.Objects;

/**
 * A handler's verdict that an item can never be handled: it goes to the dead-letter store at once,
 * whatever its delivery count.
 *
 * <p>A handler either <em>returns</em> instances among its unhandled items (each names one item of
 * the batch; the other items of the batch are treated as the handler says), or <em>throws</em>
 * one: the named item is dead-lettered and the rest of the batch counts as unhandled, exactly as
 * for any other exception.
 */
public class PermanentFailure extends QueueException {
  private static final long serialVersionUID = 1L;

  private final transient Object item;
  private final String reason;

  public PermanentFailure(Object item, String reason) {
    super("permanent failure: " + reason);
    this.item = Objects.requireNonNull(item, "item");
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** The item of the batch that failed for good. */
  public Object item() {
    return item;
  }

  /** Why, as stored with the dead letter. */
  public String reason() {
    return reason;
  }
}
