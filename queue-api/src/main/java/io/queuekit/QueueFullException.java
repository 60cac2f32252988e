package io.queuekit;

import java.util.List;

/**
 * A push waited its whole timeout for room and the queue still held {@code LENGTH} waiting items.
 *
 * <p>For {@code pushAll}, {@link #results()} holds the result of every item admitted before the
 * timeout, in order; those items stay stored. Item {@code results().size()} and later ones were not
 * stored.
 */
public class QueueFullException extends QueueException {
  private static final long serialVersionUID = 1L;

  private final String queue;
  private final int length;
  private final transient List<PushResult> results;

  public QueueFullException(String queue, int length, List<PushResult> results) {
    super("queue \"" + queue + "\" is full: " + length + " items waiting (LENGTH=" + length
        + ")" + (results.isEmpty() ? "" : "; " + results.size() + " items of the batch were admitted"));
    this.queue = queue;
    this.length = length;
    this.results = List.copyOf(results);
  }

  /** The queue's name. */
  public String queue() {
    return queue;
  }

  /** The queue's {@code LENGTH}. */
  public int length() {
    return length;
  }

  /** Results of the items admitted before the timeout (pushAll), else empty. */
  public List<PushResult> results() {
    return results;
  }
}
