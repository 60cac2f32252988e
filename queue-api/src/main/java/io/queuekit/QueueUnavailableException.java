package io.queuekit;

/**
 * The store behind a queue could not be reached or failed (Redis down, LevelDB I/O error). The
 * message names the queue and the address (passwords masked). A broken store is never reported as
 * an empty queue.
 */
public class QueueUnavailableException extends QueueException {
  private static final long serialVersionUID = 1L;

  public QueueUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public QueueUnavailableException(String message) {
    super(message);
  }
}
