package io.queuekit.spi;

import io.queuekit.QueueException;

/**
 * A queue opened with {@link BaseQueueConfig.Open#EXISTING} has no store: its LevelDB directory,
 * or the queue in it, its Redis keys, or its PostgreSQL schema or row do not exist. The message
 * names the queue and where it was looked for (a directory, or an address with its password
 * masked). Nothing was written.
 */
public class StoreNotFoundException extends QueueException {
  private static final long serialVersionUID = 1L;

  public StoreNotFoundException(String message) {
    super(message);
  }
}
