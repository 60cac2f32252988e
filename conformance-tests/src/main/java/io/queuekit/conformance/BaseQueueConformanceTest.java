package io.queuekit.conformance;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one {@link io.queuekit.spi.BaseQueue} conformance suite (docs/DESIGN.md §3, §7): Gitea's
 * {@code testQueueBasic} steps and every rule of the backend contract, for the simple and the
 * unique flavour. The tests live in three themed interfaces this class implements ({@link
 * BaseQueueAdmissionSuite}, {@link BaseQueueDeliverySuite}, {@link BaseQueueDeadLetterSuite});
 * this class holds what runs around each test. A backend module passes it with a subclass of a
 * few lines:
 *
 * <pre>{@code
 * class ChannelBaseQueueTest extends BaseQueueConformanceTest {
 *   protected TestBackend backend() {
 *     return new TestBackend() {
 *       public String type() { return "channel"; }
 *       public QueueCapabilities capabilities() { return QueueCapabilities.inMemory(); }
 *     };
 *   }
 * }
 * }</pre>
 *
 * <p>{@link #backend()} is called once per test and the backend is closed after it, as {@link
 * WorkerPoolConformanceTest} does (a backend sharing one server between tests makes its {@code
 * close()} leave it running). Every test opens its queues under names no other test uses, with
 * {@code LENGTH} {@value #LENGTH}, a {@link MutableClock} and a {@code @TempDir} data path, and
 * closes them afterwards.
 *
 * <p>Nothing sleeps: a test waits for a state with an Awaitility deadline ({@link #PATIENCE},
 * generous because CI machines are loaded) and asserts no durations. A test that needs a thread
 * blocked in the queue waits until that thread is parked, then checks its call has not returned.
 *
 * <p>Rules the suite pins down where DESIGN is silent: replay keeps an item's first-pushed time;
 * a merged copy keeps the waiting copy's first-pushed time; recovered items go back to the head in
 * the order they were claimed; {@code stats()} counts a delayed item already due as ready.
 * Delayed items in these tests fall due at most a few seconds (of the test clock) after they were
 * delayed, because an in-process claimer re-reads the clock once per {@code due - now} of real
 * time.
 *
 * <p>Tests for persistent backends ({@link QueueCapabilities#persistent()}) are skipped on the
 * others; on backends that store nothing only the tests marked {@link EveryBackend} run.
 *
 * <p>After each test, every queue still open must add up (stats' ready + delayed = {@code len()}:
 * {@link QueueFixture#checkCountsAddUp}) and have nothing left in flight once what the test still
 * holds is settled ({@link QueueFixture#checkNothingInFlight}), unless the test is marked {@link
 * LeavesInFlight}; each test has {@value #TIMEOUT_SECONDS} s, so a hang fails the test that hangs
 * instead of the CI job.
 */
@Timeout(value = BaseQueueConformanceTest.TIMEOUT_SECONDS, unit = java.util.concurrent.TimeUnit.SECONDS)
public abstract class BaseQueueConformanceTest
    implements BaseQueueAdmissionSuite, BaseQueueDeliverySuite, BaseQueueDeadLetterSuite {
  /** A test's time limit: far above what any test takes, far below the CI job's. */
  static final long TIMEOUT_SECONDS = 180;

  /** The backend under test. Called once per test, before it runs. */
  protected abstract TestBackend backend();

  @TempDir Path dataPath;

  private QueueFixture fixture;
  private final TestThreads threads = new TestThreads(PATIENCE);
  private boolean leavesInFlight;

  @Override
  public QueueFixture fixture() {
    return fixture;
  }

  @Override
  public TestThreads threads() {
    return threads;
  }

  @BeforeEach
  void openFixture(TestInfo info) {
    String label = info.getTestMethod().map(m -> m.getName()).orElse("test");
    fixture = new QueueFixture(backend(), label, dataPath);
    leavesInFlight = info.getTestMethod()
        .map(m -> m.isAnnotationPresent(LeavesInFlight.class)).orElse(false);
    assumeTrue(fixture.backend().capabilities().stores()
        || info.getTestMethod().map(m -> m.isAnnotationPresent(EveryBackend.class)).orElse(false),
        () -> "needs a backend that stores items; " + fixture.backend().type() + " does not");
  }

  @AfterEach
  void closeFixture() throws InterruptedException {
    // A test that failed half-way may leave the flag set; it must not leak into the next test.
    Thread.interrupted();
    try {
      fixture.checkCountsAddUp(PATIENCE);
      if (!leavesInFlight) {
        fixture.checkNothingInFlight(PATIENCE);
      }
    } finally {
      try {
        fixture.close();
        fixture.backend().close();
      } finally {
        threads.stopAll();
      }
    }
  }
}
