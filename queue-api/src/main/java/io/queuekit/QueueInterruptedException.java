package io.queuekit;

/**
 * A blocking call was interrupted (or called with the interrupt flag set). The thread's interrupt
 * flag has been restored before this was thrown, and the call changed nothing (except {@code
 * pushAll}: the items it admitted before the interrupt stay admitted).
 */
public class QueueInterruptedException extends QueueException {
  private static final long serialVersionUID = 1L;

  public QueueInterruptedException(String queue, InterruptedException cause) {
    super("interrupted while waiting on queue \"" + queue + "\"", cause);
  }
}
