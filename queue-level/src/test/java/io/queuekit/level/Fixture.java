package io.queuekit.level;

import io.queuekit.QueueSettings;
import io.queuekit.conformance.MutableClock;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueues;
import io.queuekit.spi.Item;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;

/** Opens real LevelDB queues in a test's temporary directory, through the ServiceLoader. */
final class Fixture implements AutoCloseable {
  final Path dataPath;
  final MutableClock clock = MutableClock.atEpoch2026();
  final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  Fixture(Path dataPath) {
    this.dataPath = dataPath;
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
    return BaseQueues.load().create("level", config(name, unique, s));
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

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
