package io.queuekit;

/**
 * Where a {@link QueueManager} gets each named queue's settings: built-in defaults, then {@code
 * [queue]}, then {@code [queue.NAME]} when read from an INI file.
 *
 * <p><b>Thread-safety:</b> implementations are immutable.
 */
@FunctionalInterface
public interface QueueConfig {

  /** The resolved settings for the queue {@code name}. */
  QueueSettings settings(String name);

  /** Every queue gets {@code settings}. */
  static QueueConfig of(QueueSettings settings) {
    return name -> settings;
  }

  /** Every queue gets the built-in defaults. */
  static QueueConfig defaults() {
    return of(QueueSettings.defaults());
  }
}
