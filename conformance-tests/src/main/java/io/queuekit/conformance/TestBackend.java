package io.queuekit.conformance;

import io.queuekit.QueueSettings;
import io.queuekit.spi.BaseQueue;

/**
 * A backend under test, as every suite in this module sees it. A backend module's test class
 * returns one from {@code backend()}; the suite opens queues through {@link
 * io.queuekit.spi.BaseQueues} by {@link #type()}, with the settings {@link #configure} adjusts.
 */
public interface TestBackend extends AutoCloseable {

  /** The {@code TYPE} to open, e.g. {@code channel}. */
  String type();

  /** What the backend can do. */
  QueueCapabilities capabilities();

  /**
   * Adds what this backend needs to the suite's settings: the {@code CONN_STR} of a throwaway
   * Redis, an engine option. The suite has already set {@code LENGTH} and the like.
   */
  default QueueSettings.Builder configure(QueueSettings.Builder settings) {
    return settings;
  }

  /**
   * Simulates the death of the process holding {@code queue}, without settling anything it holds:
   * reopening the queue afterwards must recover its in-flight items (recovery count + 1). Only
   * called when {@link QueueCapabilities#persistent()}. By default, closes the queue (LevelDB
   * recovers at open); Redis expires the consumer's heartbeat and runs the reaper.
   */
  default void kill(BaseQueue queue) {
    queue.close();
  }

  /**
   * What the suites use in place of each queue they open; the queue itself by default. A
   * mutation check wraps queues here in deliberately broken ones, to show the suites catch them.
   */
  default BaseQueue wrap(BaseQueue queue) {
    return queue;
  }

  /** Releases fixtures (servers, directories). */
  @Override
  default void close() {}
}
