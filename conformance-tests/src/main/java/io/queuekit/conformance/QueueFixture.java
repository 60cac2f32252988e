package io.queuekit.conformance;

import io.queuekit.QueueClosedException;
import io.queuekit.QueueSettings;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueues;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.assertj.core.api.Assertions;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Opens base queues of one {@link TestBackend} the way the suites do: through {@link
 * BaseQueues#load()} by the backend's type, with a {@link MutableClock}, a scheduler and a data
 * path owned by the fixture, and a name no other test uses (a backend may share storage between tests:
 * one Redis, one LevelDB directory). {@link #close()} closes every queue it opened and the
 * scheduler; it leaves the backend open: closing it is the suite's business.
 *
 * <p><b>Thread-safety:</b> {@link #open} and {@link #reopen} may be called from several threads;
 * {@link #close()} once, after the test's threads are done with the queues.
 */
public final class QueueFixture implements AutoCloseable {
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private final TestBackend backend;
  private final String namePrefix;
  private final Path dataPath;
  private final MutableClock clock = MutableClock.atEpoch2026();
  private final ScheduledExecutorService scheduler;
  private final Map<BaseQueue, BaseQueueConfig> configs = new IdentityHashMap<>();
  private final List<BaseQueue> opened = new ArrayList<>();
  /** What the test claimed, by queue: settled for it by {@link #checkNothingInFlight}. */
  private final Map<BaseQueue, List<Delivery>> handedOut = new IdentityHashMap<>();

  /**
   * @param backend the backend under test
   * @param label names the queues (the test method's name, say), for readable storage keys
   * @param dataPath the data path handed to every queue (a temporary directory)
   */
  public QueueFixture(TestBackend backend, String label, Path dataPath) {
    this.backend = backend;
    this.namePrefix = "ct_" + sanitize(label);
    this.dataPath = dataPath;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "conformance-scheduler");
      t.setDaemon(true);
      return t;
    });
  }

  /** The backend under test. */
  public TestBackend backend() {
    return backend;
  }

  /** The clock every queue of this fixture reads. */
  public MutableClock clock() {
    return clock;
  }

  /**
   * The settings the suite opens queues with: the backend's type, {@code LENGTH} {@code length},
   * then {@code tweak} (e.g. a smaller {@code MAX_ITEM_SIZE}), then what the backend adds.
   */
  public QueueSettings settings(int length, UnaryOperator<QueueSettings.Builder> tweak) {
    QueueSettings.Builder b = QueueSettings.builder().type(backend.type()).length(length);
    return backend.configure(tweak.apply(b)).build();
  }

  /** Opens a new queue, under a fresh name, with {@link #settings}. */
  public BaseQueue open(boolean unique, int length, UnaryOperator<QueueSettings.Builder> tweak) {
    String name = namePrefix + "_" + SEQUENCE.incrementAndGet() + "_"
        + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    return open(new BaseQueueConfig(name, settings(length, tweak), unique, clock, scheduler,
        dataPath));
  }

  /**
   * Opens the queue {@code old} was opened as (same name, settings and flavour) again, as a new
   * instance: what a restarted process does. {@code old} is left as it is (closed or killed by the
   * caller).
   */
  public BaseQueue reopen(BaseQueue old) {
    BaseQueueConfig config;
    synchronized (this) {
      config = configs.get(old);
    }
    if (config == null) {
      throw new IllegalArgumentException(old + " was not opened by this fixture");
    }
    return open(config);
  }

  private BaseQueue open(BaseQueueConfig config) {
    BaseQueue queue = backend.wrap(BaseQueues.load().create(backend.type(), config));
    synchronized (this) {
      configs.put(queue, config);
      opened.add(queue);
    }
    return queue;
  }

  /**
   * Checks the counts of every queue this fixture opened that is still open: its stats' ready +
   * delayed equal {@code len()} (re-read until they agree or {@code patience} ends, since a
   * background call of the test may land between the two reads).
   *
   * @throws AssertionError naming the queue whose counts disagree
   */
  public void checkCountsAddUp(Duration patience) {
    List<BaseQueue> queues;
    synchronized (this) {
      queues = new ArrayList<>(opened);
    }
    for (BaseQueue queue : queues) {
      try {
        untilAsserted(patience, () -> {
          StoreStats stats = queue.stats();
          long len = queue.len();
          Assertions.assertThat(stats.ready() + stats.delayed())
              .as("queue %s: stats ready %d + delayed %d = len() %d", queue.name(), stats.ready(),
                  stats.delayed(), len)
              .isEqualTo(len);
        });
      } catch (QueueClosedException closed) {
        // closed (or killed) by the test: nothing to count
      }
    }
  }

  /**
   * Records deliveries the test claimed from {@code queue}, so {@link #checkNothingInFlight} can
   * settle those the test still holds. Safe from any thread.
   *
   * @return {@code deliveries}
   */
  public List<Delivery> handedOut(BaseQueue queue, List<Delivery> deliveries) {
    synchronized (this) {
      handedOut.computeIfAbsent(queue, q -> new ArrayList<>()).addAll(deliveries);
    }
    return deliveries;
  }

  /**
   * Checks that nothing is left in flight in any queue this fixture opened that is still open:
   * first acks every delivery the test claimed ({@link #handedOut}) and did not settle (an ack of
   * one it settled is {@code STALE} and changes nothing), then its stats must show none in flight
   * (re-read for up to {@code patience}: a background call of the test may still be landing). A
   * claim that moved an item to in flight without handing it out, or a settle call that left its
   * item there, fails here.
   *
   * @throws AssertionError naming the queue with items still in flight
   */
  public void checkNothingInFlight(Duration patience) {
    Map<BaseQueue, List<Delivery>> held;
    List<BaseQueue> queues;
    synchronized (this) {
      held = new IdentityHashMap<>(handedOut);
      queues = new ArrayList<>(opened);
    }
    for (BaseQueue queue : queues) {
      try {
        List<Delivery> claimed = held.getOrDefault(queue, List.of());
        if (!claimed.isEmpty()) {
          Assertions.assertThat(queue.ack(claimed))
              .as("queue %s: acks of what the test claimed", queue.name())
              .allMatch(o -> o == Outcome.DONE || o == Outcome.STALE);
        }
        untilAsserted(patience, () -> Assertions.assertThat(queue.stats().inFlight())
            .as("queue %s: in flight after the test settled what it holds", queue.name())
            .isZero());
      } catch (QueueClosedException closed) {
        // closed (or killed) by the test: its store recovers what it held when reopened
      }
    }
  }

  private static void untilAsserted(Duration patience, org.awaitility.core.ThrowingRunnable check) {
    try {
      Awaitility.await().atMost(patience).pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(10)).untilAsserted(check);
    } catch (ConditionTimeoutException e) {
      if (e.getCause() instanceof AssertionError a) {
        throw a;
      }
      throw e;
    }
  }

  /** Closes every queue this fixture opened (close is idempotent), then the scheduler. */
  @Override
  public void close() {
    RuntimeException failure = null;
    List<BaseQueue> queues;
    synchronized (this) {
      queues = new ArrayList<>(opened);
      opened.clear();
      configs.clear();
      handedOut.clear();
    }
    for (BaseQueue queue : queues) {
      try {
        queue.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    scheduler.shutdownNow();
    try {
      if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
        IllegalStateException stuck =
            new IllegalStateException("a backend task on the test scheduler did not stop");
        if (failure == null) {
          failure = stuck;
        } else {
          failure.addSuppressed(stuck);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      IllegalStateException interrupted =
          new IllegalStateException("interrupted while stopping the test scheduler", e);
      if (failure == null) {
        failure = interrupted;
      } else {
        failure.addSuppressed(interrupted);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Letters, digits and '_' only: valid in every backend's key space. */
  private static String sanitize(String label) {
    String s = label.replaceAll("[^A-Za-z0-9_]", "_").toLowerCase(Locale.ROOT);
    return s.length() > 40 ? s.substring(0, 40) : s;
  }
}
