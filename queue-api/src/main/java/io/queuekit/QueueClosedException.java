package io.queuekit;

/** The queue was closed or shut down, before or while the call waited. */
public class QueueClosedException extends QueueException {
  private static final long serialVersionUID = 1L;

  public QueueClosedException(String queue) {
    super("queue \"" + queue + "\" is closed");
  }

  /** A message of its own: the public constructor names a queue. */
  private QueueClosedException(String message, boolean ofItsOwn) {
    super(message);
  }

  /** The {@link QueueManager} is closed: it creates no more queues. */
  static QueueClosedException managerClosed() {
    return new QueueClosedException("the queue manager is closed; it creates no more queues", true);
  }
}
