package io.queuekit.conformance;

/**
 * What a backend can do, so the suites skip, with an assumption naming what is missing, what
 * cannot apply to it. A test that applies to every backend carries {@link EveryBackend}; the
 * others need {@link #stores()}.
 *
 * @param persistent items survive a closed or killed process (LevelDB, Redis, PostgreSQL)
 * @param multiProcess several processes may use one queue at once (Redis, PostgreSQL)
 * @param stores a pushed item waits in the store until a worker claims it; false for {@code
 *     dummy} (discards) and {@code immediate} (the pool runs the handler in the pushing thread)
 * @param handles the worker pool calls the handler with pushed items; false for {@code dummy}
 */
public record QueueCapabilities(boolean persistent, boolean multiProcess, boolean stores,
    boolean handles) {

  /** A storing backend. */
  public QueueCapabilities(boolean persistent, boolean multiProcess) {
    this(persistent, multiProcess, true, true);
  }

  /** In memory, one process: {@code channel}. */
  public static QueueCapabilities inMemory() {
    return new QueueCapabilities(false, false);
  }

  /** On disk, one process: {@code level}. */
  public static QueueCapabilities persistentSingleProcess() {
    return new QueueCapabilities(true, false);
  }

  /** Shared store, several processes: {@code redis}, {@code postgres}. */
  public static QueueCapabilities shared() {
    return new QueueCapabilities(true, true);
  }

  /** Stores nothing, handles nothing: {@code dummy}. */
  public static QueueCapabilities discarding() {
    return new QueueCapabilities(false, false, false, false);
  }

  /** Stores nothing, the handler runs in the pushing thread: {@code immediate}. */
  public static QueueCapabilities immediate() {
    return new QueueCapabilities(false, false, false, true);
  }
}
