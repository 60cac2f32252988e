package io.queuekit.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The consumer threads of a store loop: each runs {@code step} until closed. A step blocks at most
 * {@link #POLL_NANOS} so a closing loop notices within that. The first failure of any thread is
 * kept and rethrown by {@link #check()} (from the next push or a stalled round's description),
 * never dropped.
 */
final class Consumers {
  /** How long one take or claim blocks before the loop looks at the closing flag. */
  static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  /** One consumer step: take a batch, handle it, settle it. */
  interface Step {
    void run() throws Exception;
  }

  private final List<Thread> threads = new ArrayList<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean closing;

  Consumers(String name, int count, Step step) {
    for (int i = 1; i <= count; i++) {
      Thread t = new Thread(() -> {
        try {
          while (!closing) {
            step.run();
          }
        } catch (InterruptedException e) {
          if (!closing) {
            failure.compareAndSet(null, e);
          }
          // Closing: the interrupt is close() stopping this thread.
        } catch (Exception | Error e) {
          // Kept even while closing: close() stops the consumers before it closes their store,
          // so no failure is expected then, and one that happens is reported.
          failure.compareAndSet(null, e);
        }
      }, name + "-consumer-" + i);
      t.setDaemon(true);
      threads.add(t);
    }
  }

  void start() {
    threads.forEach(Thread::start);
  }

  /** Throws the first failure of a consumer, if any. */
  void check() {
    Throwable f = failure.get();
    if (f != null) {
      throw new IllegalStateException("a consumer failed", f);
    }
  }

  /** Stops and joins the threads (each within one poll), then rethrows a failure. */
  void close() {
    closing = true;
    try {
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(10));
        if (t.isAlive()) {
          t.interrupt();
          t.join(TimeUnit.SECONDS.toMillis(5));
          if (t.isAlive()) {
            throw new IllegalStateException(t.getName() + " did not stop within 15s");
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping the consumers", e);
    }
    check();
  }
}
