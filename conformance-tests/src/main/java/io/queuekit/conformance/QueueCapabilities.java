package io.queuekit.conformance;

/**
 * What a backend can do, so the suites skip what cannot apply to it.
 *
 * @param persistent items survive a closed or killed process (LevelDB, Redis)
 * @param multiProcess several processes may use one queue at once (Redis)
 */
public record QueueCapabilities(boolean persistent, boolean multiProcess) {

  /** In memory, one process: {@code channel}. */
  public static QueueCapabilities inMemory() {
    return new QueueCapabilities(false, false);
  }

  /** On disk, one process: {@code level}. */
  public static QueueCapabilities persistentSingleProcess() {
    return new QueueCapabilities(true, false);
  }

  /** Shared store, several processes: {@code redis}. */
  public static QueueCapabilities shared() {
    return new QueueCapabilities(true, true);
  }
}
