package io.queuekit;

/**
 * A setting or configuration file is wrong. The message names what was wrong and where: file and
 * line when read from a file, section, key, value and queue.
 */
public class QueueConfigException extends QueueException {
  private static final long serialVersionUID = 1L;

  public QueueConfigException(String message) {
    super(message);
  }

  public QueueConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
