package io.queuekit.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.QueueSettings;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.Delivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

/**
 * What the themed base-queue test interfaces ({@link BaseQueueAdmissionSuite}, {@link
 * BaseQueueDeliverySuite}, {@link BaseQueueDeadLetterSuite}) share: the running test's {@link
 * QueueFixture} and threads, and the helpers built on them. {@link BaseQueueConformanceTest}
 * implements them all, so a backend's one subclass runs every test; the themes are interfaces
 * (JUnit runs their default methods as tests of the implementing class) only to keep each file
 * readable.
 *
 * <p>Deliveries claimed through {@link #claim}, {@link #claimN} and {@link #claimAll} are recorded
 * with the fixture, which settles those the test still holds before it checks that nothing is
 * left in flight ({@link QueueFixture#checkNothingInFlight}).
 */
public interface BaseQueueSuite {
  /** {@code LENGTH} of every queue the suite opens, as in Gitea's test. */
  int LENGTH = 10;
  /** Timeout of a push expected to find the queue full, and of a claim expected to get nothing. */
  Duration SHORT = Duration.ofMillis(50);
  /** Timeout of a blocking call expected to be woken by something else; never reached. */
  Duration LONG = Duration.ofSeconds(120);
  /** How long a test waits for a state before it fails. */
  Duration PATIENCE = Duration.ofSeconds(60);

  /** The running test's fixture. */
  QueueFixture fixture();

  /** The running test's background threads. */
  TestThreads threads();

  /** Opens a queue with {@code LENGTH} {@value #LENGTH}. */
  default BaseQueue open(Flavour flavour) {
    return open(flavour.unique(), UnaryOperator.identity());
  }

  /** Opens a queue with {@code LENGTH} {@value #LENGTH} and the settings {@code tweak} changes. */
  default BaseQueue open(boolean unique, UnaryOperator<QueueSettings.Builder> tweak) {
    return fixture().open(unique, LENGTH, tweak);
  }

  /** The clock every queue of this test reads. */
  default MutableClock clock() {
    return fixture().clock();
  }

  /** Runs {@code call} on its own thread, joined after the test. */
  default <T> Background<T> background(String name, Callable<T> call) {
    return threads().start(name, call);
  }

  /** Pushes each text with no delay, asserting it was added. */
  default void pushAll(BaseQueue q, String... texts) {
    QueueItems.pushAll(q, SHORT, texts);
  }

  /** Fills the queue to {@code LENGTH} with {@code item-0} … {@code item-9}. */
  default void fill(BaseQueue q) {
    for (int i = 0; i < LENGTH; i++) {
      pushAll(q, "item-" + i);
    }
  }

  /** {@code q.claim(max, wait)}, recorded with the fixture. */
  default List<Delivery> claim(BaseQueue q, int max, Duration wait) {
    return fixture().handedOut(q, q.claim(max, wait));
  }

  /** Claims exactly {@code n} ready items, without waiting. */
  default List<Delivery> claimN(BaseQueue q, int n) {
    List<Delivery> got = claim(q, n, SHORT);
    assertThat(got).as("claim %d", n).hasSize(n);
    return got;
  }

  /**
   * Claims everything ready (up to 100), in as many claims as it takes: a claim hands out a
   * recovered item alone (docs/DESIGN.md §3.2).
   */
  default List<Delivery> claimAll(BaseQueue q) {
    List<Delivery> out = new ArrayList<>();
    while (out.size() < 100) {
      List<Delivery> got = claim(q, 100 - out.size(), out.isEmpty() ? SHORT : Duration.ZERO);
      if (got.isEmpty()) {
        break;
      }
      out.addAll(got);
    }
    return out;
  }
}
