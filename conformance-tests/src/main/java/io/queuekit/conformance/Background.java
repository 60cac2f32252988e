package io.queuekit.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A call running on its own daemon thread, so a test can watch it block, interrupt it and collect
 * what it returned or threw. Started by {@link TestThreads#start}, which joins it after the test.
 *
 * <p><b>Thread-safety:</b> the test thread may call every method while the call runs.
 */
public final class Background<T> {
  final Thread thread;
  private final CompletableFuture<T> result = new CompletableFuture<>();
  private final Duration patience;

  Background(String name, Callable<T> call, Duration patience) {
    this.patience = patience;
    thread = new Thread(() -> {
      try {
        result.complete(call.call());
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    }, "conformance-" + name);
    thread.setDaemon(true);
  }

  /** Waits until the thread is parked inside the call, then checks the call has not returned. */
  public Background<T> awaitBlocked() {
    await().atMost(patience).pollInterval(Duration.ofMillis(5)).until(() -> result.isDone()
        || thread.getState() == Thread.State.WAITING
        || thread.getState() == Thread.State.TIMED_WAITING);
    assertThat(result).as("%s returned although it had to wait", thread.getName()).isNotDone();
    return this;
  }

  /** Interrupts the thread running the call. */
  public void interrupt() {
    thread.interrupt();
  }

  /** Waits for the call to return and gives its result. */
  public T awaitResult() throws InterruptedException, ExecutionException {
    await().atMost(patience).pollInterval(Duration.ofMillis(5)).until(result::isDone);
    return result.get();
  }

  /** Waits for the call to throw and gives what it threw. */
  public Throwable awaitFailure() {
    await().atMost(patience).pollInterval(Duration.ofMillis(5)).until(result::isDone);
    assertThat(result).as("%s should have thrown", thread.getName()).isCompletedExceptionally();
    return result.handle((v, e) -> e instanceof CompletionException ? e.getCause() : e).join();
  }
}
