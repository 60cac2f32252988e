package io.queuekit;

/**
 * An {@code immediate} queue's handler did not handle an item in any of its attempts, which all ran
 * in the pushing thread. The item is carried here so the caller decides; it is not stored anywhere
 * and never silently dropped.
 */
public class UnhandledItemException extends QueueException {
  private static final long serialVersionUID = 1L;

  private final transient Object item;

  public UnhandledItemException(String queue, Object item, int attempts, Throwable lastFailure) {
    super("queue \"" + queue + "\" (immediate) did not handle the item after " + attempts
        + " attempt(s)", lastFailure);
    this.item = item;
  }

  /** The item that was not handled. */
  public Object item() {
    return item;
  }
}
