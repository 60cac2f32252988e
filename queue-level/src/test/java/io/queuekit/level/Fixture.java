package io.queuekit.level;

import io.queuekit.QueueSettings;
import io.queuekit.conformance.MutableClock;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueues;
import io.queuekit.spi.Item;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The one set-up of the LevelDB tests, as a JUnit extension: per test, a fresh temporary data
 * path, a {@link MutableClock} and a scheduler; real LevelDB queues opened through the
 * ServiceLoader. After the test it closes every queue it opened that the test left open (close is
 * idempotent), stops the scheduler and deletes the directory. Register it on an instance field:
 * {@code @RegisterExtension final Fixture f = new Fixture();}.
 *
 * <p><b>Thread-safety:</b> {@link #open} may be called from several threads of one test.
 */
final class Fixture implements BeforeEachCallback, AfterEachCallback {
  /** The test's data path; set before each test. */
  Path dataPath;
  final MutableClock clock = MutableClock.atEpoch2026();
  ScheduledExecutorService scheduler;
  private final List<BaseQueue> opened = new CopyOnWriteArrayList<>();

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    dataPath = Files.createTempDirectory("queuekit-level-");
    scheduler = Executors.newSingleThreadScheduledExecutor();
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    try {
      for (BaseQueue q : opened) {
        q.close();
      }
    } finally {
      scheduler.shutdownNow();
      deleteRecursively(dataPath);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Settings with a small LENGTH and DATADIR {@code queues/common} under the data path. */
  static QueueSettings.Builder settings() {
    return QueueSettings.builder().length(10);
  }

  BaseQueueConfig config(String name, boolean unique, UnaryOperator<QueueSettings.Builder> s) {
    return new BaseQueueConfig(name, s.apply(settings()).build(), unique, clock, scheduler,
        dataPath);
  }

  BaseQueue open(String name, boolean unique) {
    return open(name, unique, UnaryOperator.identity());
  }

  BaseQueue open(String name, boolean unique, UnaryOperator<QueueSettings.Builder> s) {
    BaseQueue q = BaseQueues.load().create("level", config(name, unique, s));
    opened.add(q);
    return q;
  }

  LevelQueue openLevel(String name, boolean unique, UnaryOperator<QueueSettings.Builder> s) {
    return (LevelQueue) open(name, unique, s);
  }

  Path commonDir() {
    return dataPath.resolve("queues/common");
  }

  /**
   * Claims up to {@code max} ready items in as many claims as it takes: a claim hands out a
   * recovered item alone (docs/DESIGN.md §3.2).
   */
  static java.util.List<io.queuekit.spi.Delivery> claimUpTo(BaseQueue q, int max) {
    java.util.List<io.queuekit.spi.Delivery> out = new java.util.ArrayList<>();
    while (out.size() < max) {
      java.util.List<io.queuekit.spi.Delivery> got = q.claim(max - out.size(), java.time.Duration.ZERO);
      if (got.isEmpty()) {
        break;
      }
      if (got.stream().anyMatch(d -> d.recoveryCount() > 0) && got.size() > 1) {
        throw new AssertionError("a claim handed out a recovered item with others: " + got);
      }
      out.addAll(got);
    }
    return out;
  }

  static Item item(String s) {
    return Item.of(s.getBytes(StandardCharsets.UTF_8));
  }

  static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
