package io.queuekit;

import java.util.List;

/**
 * An {@code immediate} queue's handler did not handle an item in any of its attempts, which all ran
 * in the pushing thread. The item is carried here so the caller decides; it is not stored anywhere
 * and never silently dropped.
 *
 * <p>From {@code pushAll}, which handles its items in order and stops at the first one not handled
 * (as a stored queue's {@code pushAll} stops at the first one it cannot admit: {@link
 * QueueFullException}): {@link #index()} is that item's position, {@link #results()} holds the
 * results of the items before it (every one handled), and the items after it were not attempted:
 * no handler saw them, so the caller may push them again as they are.
 */
public class UnhandledItemException extends QueueException {
  private static final long serialVersionUID = 1L;

  private final transient Object item;
  private final int attempts;
  private final int index;
  private final transient List<PushResult> results;

  public UnhandledItemException(String queue, Object item, int attempts, Throwable lastFailure) {
    super("queue \"" + queue + "\" (immediate) did not handle the item after " + attempts
        + " attempt(s)", lastFailure);
    this.item = item;
    this.attempts = attempts;
    this.index = -1;
    this.results = List.of();
  }

  /** {@code failed}, as the item at {@code index} of a {@code pushAll} of {@code size} items. */
  UnhandledItemException(String queue, UnhandledItemException failed, int index, int size,
      List<PushResult> results) {
    super("queue \"" + queue + "\" (immediate) did not handle item " + index + " of pushAll's "
        + size + " after " + failed.attempts + " attempt(s); "
        + (index == 0 ? "" : "items 0.." + (index - 1) + " before it were handled, ")
        + (index == size - 1 ? "it was the last one"
            : "items " + (index + 1) + ".." + (size - 1) + " after it were not attempted"),
        failed.getCause());
    this.item = failed.item;
    this.attempts = failed.attempts;
    this.index = index;
    this.results = List.copyOf(results);
  }

  /** The item that was not handled. */
  public Object item() {
    return item;
  }

  /** How many times the handler was given the item (0: it could not be decoded). */
  public int attempts() {
    return attempts;
  }

  /** The item's position in {@code pushAll}'s list; -1 for a single push. */
  public int index() {
    return index;
  }

  /**
   * From {@code pushAll}: the results of the items before {@link #index()}, all handled; the items
   * after it were not attempted. Empty for a single push.
   */
  public List<PushResult> results() {
    return results;
  }
}
