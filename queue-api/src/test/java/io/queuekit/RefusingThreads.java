package io.queuekit;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes threads as the default factory does, but the next {@link #refuse} of them fail to start
 * as they do in a JVM out of native threads (or over its process's thread limit): {@code start()}
 * throws that OutOfMemoryError and no thread runs.
 */
final class RefusingThreads implements ThreadFactory {
  static final String OOM = "unable to create native thread: possibly out of memory or process/"
      + "resource limits reached";
  /** Starts still to refuse. */
  final AtomicInteger refuse = new AtomicInteger();
  /** Starts refused so far. */
  final AtomicInteger refused = new AtomicInteger();

  RefusingThreads(int refuse) {
    this.refuse.set(refuse);
  }

  @Override
  public Thread newThread(Runnable r) {
    return new Thread(r) {
      @Override
      public synchronized void start() {
        if (refuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          refused.incrementAndGet();
          throw new OutOfMemoryError(OOM);
        }
        super.start();
      }
    };
  }
}
