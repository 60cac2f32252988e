package io.queuekit.conformance;

import static org.awaitility.Awaitility.await;

import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.spi.BaseQueue;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;

/**
 * What the themed worker-pool test interfaces ({@link WorkerPoolBatchingSuite}, {@link
 * WorkerPoolFailureSuite}, {@link WorkerPoolControlSuite}) share: the running test's backend,
 * clock, scheduler and managers. {@link WorkerPoolConformanceTest} implements them all, so a
 * backend's one subclass runs every test; the themes are interfaces (JUnit runs their default
 * methods as tests of the implementing class) only to keep each file readable.
 */
public interface WorkerPoolSuite {
  /** How long a test waits for a state (or a flush) before it fails. */
  Duration WAIT = Duration.ofSeconds(30);

  /** The running test's backend. */
  TestBackend testBackend();

  /** The clock of every queue and store the test opens. */
  MutableClock clock();

  /** The scheduler of every manager and store the test opens (one thread). */
  ScheduledExecutorService scheduler();

  /** A name no other test uses, even on a shared server. */
  String uniqueName(String prefix);

  /** Settings for a test: the suite's defaults, {@code adjust}ed, then the backend's additions. */
  QueueSettings settings(UnaryOperator<QueueSettings.Builder> adjust);

  /** A new manager on the test's clock and scheduler, closed after the test. */
  QueueManager manager();

  /** Opens the store of a queue directly, for checks below the worker pool. */
  BaseQueue openBase(String name, QueueSettings settings, boolean unique);

  /** How often a handler sees a pushed item: once, or never on a backend that handles nothing. */
  default int once() {
    return testBackend().capabilities().handles() ? 1 : 0;
  }

  /**
   * Moves the clock on by {@code step} until {@code done}, looking every 200 ms (longer than the
   * suite's claim wait, by which the pool notices a move). A deadline the pool began just after a
   * move ends at the next one, so a test need not know when the pool read the clock.
   */
  default void advanceClockUntil(Duration step, Callable<Boolean> done) {
    await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
        .until(() -> {
          if (done.call()) {
            return true;
          }
          clock().advance(step);
          return false;
        });
  }
}
