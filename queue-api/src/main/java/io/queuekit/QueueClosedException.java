package io.queuekit;

/** The queue was closed or shut down, before or while the call waited. */
public class QueueClosedException extends QueueException {
  private static final long serialVersionUID = 1L;

  public QueueClosedException(String queue) {
    super("queue \"" + queue + "\" is closed");
  }
}
