package io.queuekit.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The {@link Background} calls of one test: started here, interrupted and joined by {@link
 * #stopAll}, which fails the test if one outlives it.
 *
 * <p><b>Thread-safety:</b> for the test's own thread.
 */
public final class TestThreads {
  private final Duration patience;
  private final List<Thread> threads = new ArrayList<>();

  /** @param patience how long a wait for a call's state, or for a thread to end, may take */
  public TestThreads(Duration patience) {
    this.patience = patience;
  }

  /** Starts {@code call} on a thread named {@code conformance-<name>}. */
  public <T> Background<T> start(String name, Callable<T> call) {
    Background<T> b = new Background<>(name, call, patience);
    threads.add(b.thread);
    b.thread.start();
    return b;
  }

  /** Interrupts every thread started here and waits for each to end. */
  public void stopAll() throws InterruptedException {
    for (Thread t : threads) {
      t.interrupt();
      t.join(patience.toMillis());
      assertThat(t.isAlive()).as("%s still running after the test", t.getName()).isFalse();
    }
    threads.clear();
  }
}
