package io.queuekit.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.queuekit.QueueClosedException;
import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueStats;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueues;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker-pool suite every storing backend passes: Gitea's {@code workerqueue_test.go}
 * scenarios, rewritten to wait on states and an injected clock instead of sleeping, plus the
 * delivery rules of docs/DESIGN.md §4 (handler failures, {@code PermanentFailure}, {@code
 * MAX_DELIVERIES}, undecodable items, backoff, flush, pause, max workers, shutdown, handler
 * timeout, listeners, {@code BATCH_DEBOUNCE} and {@code WORKER_IDLE_TIMEOUT} on the injected
 * clock). The tests live in three themed interfaces this class implements ({@link
 * WorkerPoolBatchingSuite}, {@link WorkerPoolFailureSuite}, {@link WorkerPoolControlSuite}); this
 * class holds what runs around each test.
 *
 * <p>A backend module extends it in a few lines, returning its {@link TestBackend}.
 *
 * <p>On backends that store nothing ({@code dummy}, {@code immediate}) only the tests marked
 * {@link EveryBackend} run; the others are skipped by assumption.
 *
 * <p>After each test, every queue still open must add up: its stats' ready + delayed equal its
 * {@code len()}, and once nothing waits, nothing is paused and no handler runs, nothing stays in
 * flight ({@link #checkInvariants}). Each test has {@value #TIMEOUT_SECONDS} s, so a hang fails
 * the test that hangs instead of the CI job.
 */
@Timeout(value = WorkerPoolConformanceTest.TIMEOUT_SECONDS, unit = java.util.concurrent.TimeUnit.SECONDS)
public abstract class WorkerPoolConformanceTest
    implements WorkerPoolBatchingSuite, WorkerPoolFailureSuite, WorkerPoolControlSuite {
  /** A test's time limit: far above what any test takes, far below the CI job's. */
  static final long TIMEOUT_SECONDS = 120;
  private static final AtomicInteger SEQ = new AtomicInteger();

  @TempDir protected Path dataPath;
  private MutableClock clock;
  private ScheduledExecutorService scheduler;
  private TestBackend backend;
  private final List<QueueManager> managers = new ArrayList<>();

  /** The backend under test. Called once per test. */
  protected abstract TestBackend backend();

  @BeforeEach
  void setUpPool(TestInfo info) {
    backend = backend();
    clock = MutableClock.atEpoch2026();
    scheduler = Executors.newSingleThreadScheduledExecutor();
    assumeTrue(backend.capabilities().stores()
        || info.getTestMethod().map(m -> m.isAnnotationPresent(EveryBackend.class)).orElse(false),
        () -> "needs a backend that stores items; " + backend.type() + " does not");
  }

  @AfterEach
  void tearDownPool() {
    try {
      checkInvariants();
    } finally {
      for (QueueManager m : managers) {
        m.close();
      }
      scheduler.shutdownNow();
      backend.close();
    }
  }

  /**
   * The counts of every queue still open add up: ready + delayed is {@code len()}; a queue with
   * nothing waiting, not paused and no handler running settles everything it claimed.
   */
  private void checkInvariants() {
    for (QueueManager m : managers) {
      for (WorkerPoolQueue<?> q : m.queues()) {
        try {
          QueueStats stats = q.stats();
          if (stats.paused() || stats.active() > 0) {
            continue; // a test may end with a handler held on purpose
          }
          // counts only: a worker a test killed on purpose (a VirtualMachineError from its
          // handler) may still be dying now, and Awaitility would fail this wait with its error
          await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
              .dontCatchUncaughtExceptions()
              .untilAsserted(() -> {
            QueueStats now = q.stats();
            assertThat(now.ready() + now.delayed()).as("%s: ready + delayed = len()", q.name())
                .isEqualTo(q.len());
            if (now.ready() + now.delayed() == 0 && now.active() == 0) {
              assertThat(now.inFlight()).as("%s: in flight with nothing waiting", q.name())
                  .isZero();
            }
          });
        } catch (QueueClosedException closed) {
          // shut down by the test: nothing to count
        }
      }
    }
  }

  @Override
  public TestBackend testBackend() {
    return backend;
  }

  @Override
  public MutableClock clock() {
    return clock;
  }

  @Override
  public ScheduledExecutorService scheduler() {
    return scheduler;
  }

  @Override
  public String uniqueName(String prefix) {
    return prefix + "_" + ProcessHandle.current().pid() + "_" + SEQ.incrementAndGet();
  }

  @Override
  public QueueSettings settings(UnaryOperator<QueueSettings.Builder> adjust) {
    QueueSettings.Builder b = QueueSettings.builder().type(backend.type())
        .length(100).batchDebounce(Duration.ofMillis(20)).shutdownTimeout(Duration.ofSeconds(5))
        .workerIdleTimeout(Duration.ofSeconds(30));
    return backend.configure(adjust.apply(b)).build();
  }

  @Override
  public QueueManager manager() {
    QueueManager m = QueueManager.builder().dataPath(dataPath).clock(clock).scheduler(scheduler)
        .claimWait(Duration.ofMillis(100)).config(QueueConfig.of(settings(b -> b))).build();
    managers.add(m);
    return m;
  }

  @Override
  public BaseQueue openBase(String name, QueueSettings settings, boolean unique) {
    return BaseQueues.load().create(settings.type(),
        new BaseQueueConfig(name, settings, unique, clock, scheduler, dataPath));
  }
}
