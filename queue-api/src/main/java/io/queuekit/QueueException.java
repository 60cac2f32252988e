package io.queuekit;

/**
 * Root of every exception queuekit throws. Unchecked, like Lettuce's and Caffeine's: a queue
 * failure is rarely something the immediate caller can repair, and checked exceptions would leak
 * through every handler and lambda.
 *
 * <p>Where a wait was interrupted, the thrower has restored the thread's interrupt flag before
 * throwing ({@link QueueInterruptedException}).
 */
public class QueueException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public QueueException(String message) {
    super(message);
  }

  public QueueException(String message, Throwable cause) {
    super(message, cause);
  }
}
