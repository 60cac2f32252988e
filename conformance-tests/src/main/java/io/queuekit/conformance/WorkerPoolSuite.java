package io.queuekit.conformance;

import static org.awaitility.Awaitility.await;

import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.spi.BaseQueue;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
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
   * Waits until queue {@code q} has exactly {@code n} worker threads and each waits idle for a
   * batch. A worker reads its {@code WORKER_IDLE_TIMEOUT} deadline from the clock as it begins
   * that wait, so a clock moved after this ends every such deadline; moved just before, it would
   * end none. The pool shows no idle state, so the threads are looked at: a worker parked in
   * {@code WorkerGroup.awaitBatch}, the idle wait, has begun it.
   */
  default void awaitIdleWorkers(WorkerPoolQueue<?> q, int n) {
    String prefix = "queuekit-" + q.name() + "-worker-";
    await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
        .until(() -> {
          int workers = 0;
          int idle = 0;
          for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (!e.getKey().getName().startsWith(prefix)) {
              continue;
            }
            workers++;
            Thread.State state = e.getKey().getState();
            if ((state == Thread.State.TIMED_WAITING || state == Thread.State.WAITING)
                && Arrays.stream(e.getValue()).anyMatch(f -> f.getMethodName().equals("awaitBatch")
                    && f.getClassName().equals("io.queuekit.WorkerGroup"))) {
              idle++;
            }
          }
          return workers == n && idle == n && q.workers() == n;
        });
  }
}
