package io.queuekit;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;

/**
 * Makes the threads of a {@link QueueManager} and its queues through the manager's {@link
 * ThreadFactory}, so that a factory's refusal (it may return null, as its contract allows) is one
 * failure, handled where a thread cannot be started at all.
 *
 * <p><b>Thread-safety:</b> stateless.
 */
final class NamedThreads {
  private NamedThreads() {}

  /**
   * A new thread from {@code factory} that runs {@code task}, named {@code name}; not started.
   *
   * @throws RejectedExecutionException the factory refused to make it
   */
  static Thread make(ThreadFactory factory, Runnable task, String name) {
    Thread t = factory.newThread(task);
    if (t == null) {
      throw new RejectedExecutionException("the thread factory refused to make a thread (" + name
          + ")");
    }
    t.setName(name);
    return t;
  }
}
