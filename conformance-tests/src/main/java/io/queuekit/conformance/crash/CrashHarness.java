package io.queuekit.conformance.crash;

import static org.awaitility.Awaitility.await;

import io.queuekit.Codec;
import io.queuekit.QueueSettings;
import io.queuekit.Setting;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueues;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Item;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Kills real worker processes and counts what they handled. The parent pushes ids {@code
 * 0..items-1} into a queue through the backend directly, then runs {@link CrashWorkerMain} in
 * child JVMs: each of the first {@code kills} children is killed with SIGKILL once the handled log
 * has grown by a random amount (so the kill lands mid-batch, with deliveries in flight); the last
 * child flushes the queue and exits cleanly. A poison id makes its child halt whenever it is
 * handled; the harness restarts it until the queue flushes.
 *
 * <p>Backends reuse it: everything backend-specific is in the {@link QueueSettings} (TYPE,
 * CONN_STR) the children receive as INI text. The parent opens the store only while no child runs,
 * so single-process stores (LevelDB) work too.
 *
 * <p><b>Thread-safety:</b> one test thread per harness.
 */
public final class CrashHarness {
  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration PROGRESS = Duration.ofSeconds(120);
  private static final Codec<Integer> CODEC = Codec.json(Integer.class);

  private final Path dataPath;
  private final String queue;
  private final QueueSettings settings;
  private final boolean unique;
  private final Random random;
  private final Path logs;
  private final Duration workPerBatch;
  private int run;
  private int items;

  /**
   * @param dataPath the data path parent and children share
   * @param queue the queue's name
   * @param settings the queue's full settings (the backend's additions included)
   * @param seed seeds the kill moments, so a failing run can be repeated
   */
  public CrashHarness(Path dataPath, String queue, QueueSettings settings, boolean unique,
      long seed) {
    this(dataPath, queue, settings, unique, seed, Duration.ofMillis(10));
  }

  /**
   * @param workPerBatch how long the children's handler works on each batch (simulated), so a
   *     kill lands while batches are in flight rather than after the queue drained
   */
  public CrashHarness(Path dataPath, String queue, QueueSettings settings, boolean unique,
      long seed, Duration workPerBatch) {
    this.workPerBatch = workPerBatch;
    this.dataPath = dataPath;
    this.queue = queue;
    this.settings = settings;
    this.unique = unique;
    this.random = new Random(seed);
    this.logs = dataPath.resolve("crash-logs-" + queue);
    try {
      Files.createDirectories(logs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Pushes ids {@code 0..items-1} through the backend, then closes it. */
  public void pushIds(int items) {
    this.items = items;
    try (Store s = openStore()) {
      List<Item> batch = new ArrayList<>();
      for (int i = 0; i < items; i++) {
        batch.add(Item.of(CODEC.encode(i)));
      }
      s.queue.pushAll(batch, Duration.ofSeconds(60));
    }
  }

  /**
   * Runs {@code kills} children, each killed with SIGKILL once between one and {@code
   * maxProgressPerKill} more distinct ids were handled (never waiting for more ids than remain);
   * returns how many distinct ids each killed child added.
   */
  public List<Integer> killRepeatedly(int kills, int maxProgressPerKill) {
    List<Integer> progress = new ArrayList<>();
    for (int k = 0; k < kills; k++) {
      int before = handledCounts().size();
      int target = Math.min(items, before + 1 + random.nextInt(Math.max(1, maxProgressPerKill)));
      try (ChildJvm child = startChild(-1)) {
        child.awaitLine("READY", START);
        try {
          await().atMost(PROGRESS).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
              .until(() -> handledCounts().size() >= target || !child.process().isAlive());
        } catch (ConditionTimeoutException e) {
          throw new AssertionError("child " + (k + 1) + " of " + kills + " handled "
              + (handledCounts().size() - before) + " new ids within " + PROGRESS
              + ", expected " + (target - before) + child.describe(), e);
        }
        if (!child.process().isAlive()) {
          throw new AssertionError("child died on its own" + child.describe());
        }
        child.kill();
      }
      progress.add(handledCounts().size() - before);
    }
    return progress;
  }

  /**
   * Runs {@code kills} children, each killed with SIGKILL as soon as its handler has started a
   * batch (while that batch's handler runs, as long as the kill lands within the work time per
   * batch): after the first kill, the first batch a child starts holds a recovered item, so every
   * later kill lands while a recovered item runs.
   *
   * @return the ids each killed child's handler started, in order
   */
  public List<List<Integer>> killWhenAHandlerStarts(int kills) {
    List<List<Integer>> started = new ArrayList<>();
    for (int k = 0; k < kills; k++) {
      try (ChildJvm child = startChild(-1)) {
        int thisRun = run;
        child.awaitLine("READY", START);
        try {
          await().atMost(PROGRESS).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
              .until(() -> !ids(logs.resolve("handled-" + thisRun + ".log.started")).isEmpty()
                  || !child.process().isAlive());
        } catch (ConditionTimeoutException e) {
          throw new AssertionError("child " + (k + 1) + " of " + kills + " started no batch "
              + "within " + PROGRESS + child.describe(), e);
        }
        if (!child.process().isAlive()) {
          throw new AssertionError("child died on its own" + child.describe());
        }
        child.kill();
        started.add(ids(logs.resolve("handled-" + thisRun + ".log.started")));
      }
    }
    return started;
  }

  /** Every id some child's handler was called with (its batch started), over every child. */
  public java.util.Set<Integer> startedIds() {
    java.util.Set<Integer> ids = new java.util.TreeSet<>();
    for (int r = 1; r <= run; r++) {
      ids.addAll(ids(logs.resolve("handled-" + r + ".log.started")));
    }
    return ids;
  }

  /**
   * Runs children until one flushes the queue, restarting each that dies (a poison item halts
   * it); returns how many died.
   */
  public int runUntilFlushed(int poisonId, int maxDeaths) {
    int deaths = 0;
    while (true) {
      try (ChildJvm child = startChild(poisonId)) {
        child.send("flush");
        String flushed = awaitFlushOrDeath(child);
        if (flushed == null) {
          if (++deaths > maxDeaths) {
            throw new AssertionError("child died " + deaths + " times, more than " + maxDeaths
                + child.describe());
          }
          continue;
        }
        if (!flushed.equals("FLUSHED true")) {
          throw new AssertionError("flush did not finish: " + flushed + child.describe());
        }
        child.send("exit");
        child.awaitLine("BYE", START);
        int status = child.awaitExit(START);
        if (status != 0) {
          throw new AssertionError("child exited with " + status + child.describe());
        }
        return deaths;
      }
    }
  }

  /** The FLUSHED line, or null when the child died first. */
  private static String awaitFlushOrDeath(ChildJvm child) {
    try {
      return child.awaitLine("FLUSHED", PROGRESS.plus(START));
    } catch (AssertionError e) {
      if (!child.process().isAlive() || waitForExit(child)) {
        return null;
      }
      throw e;
    }
  }

  private static boolean waitForExit(ChildJvm child) {
    try {
      child.awaitExit(Duration.ofSeconds(10));
      return true;
    } catch (AssertionError stillRunning) {
      return false;
    }
  }

  /** How often each id was handled, over every child's log. */
  public Map<Integer, Integer> handledCounts() {
    Map<Integer, Integer> counts = new TreeMap<>();
    for (int id : handledIds()) {
      counts.merge(id, 1, Integer::sum);
    }
    return counts;
  }

  /** Every handled id in log order; a line torn by a kill (no newline) is not counted. */
  public List<Integer> handledIds() {
    List<Integer> ids = new ArrayList<>();
    for (int r = 1; r <= run; r++) {
      ids.addAll(ids(logs.resolve("handled-" + r + ".log")));
    }
    return ids;
  }

  /** The ids of one log, one a line; a line torn by a kill (no newline) is not counted. */
  private static List<Integer> ids(Path log) {
    List<Integer> ids = new ArrayList<>();
    if (!Files.exists(log)) {
      return ids;
    }
    String text;
    try {
      text = Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int end = text.lastIndexOf('\n');
    if (end < 0) {
      return ids;
    }
    for (String line : text.substring(0, end).split("\n")) {
      try {
        ids.add(Integer.parseInt(line.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalStateException(log + ": line \"" + line + "\" is not an id", e);
      }
    }
    return ids;
  }

  /** The store's dead letters (ids), read while no child runs. */
  public List<DeadLetter> deadLetters() {
    try (Store s = openStore()) {
      return s.queue.listDead(0, 1000);
    }
  }

  /** The store's waiting + in-flight count, read while no child runs (after recovery). */
  public long waiting() {
    try (Store s = openStore()) {
      return s.queue.len() + s.queue.stats().inFlight();
    }
  }

  /** Decodes a dead letter's payload to its id. */
  public static int idOf(DeadLetter d) throws Exception {
    return CODEC.decode(d.payload());
  }

  private ChildJvm startChild(int poisonId) {
    run++;
    List<String> args = new ArrayList<>(List.of(dataPath.toString(), queue,
        unique ? "unique" : "simple", logs.resolve("handled-" + run + ".log").toString(),
        Integer.toString(poisonId), Long.toString(workPerBatch.toMillis())));
    for (Setting s : Setting.values()) {
      args.add(s.key() + "=" + settings.text(s));
    }
    return ChildJvm.start(CrashWorkerMain.class, List.of(), args);
  }

  private Store openStore() {
    return new Store(dataPath, queue, settings, unique);
  }

  /** The queue's store opened in the parent, with the scheduler it needs. */
  private static final class Store implements AutoCloseable {
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    final BaseQueue queue;

    Store(Path dataPath, String name, QueueSettings settings, boolean unique) {
      BaseQueue q;
      try {
        q = BaseQueues.load().create(settings.type(), new BaseQueueConfig(name, settings, unique,
            Clock.systemUTC(), scheduler, dataPath));
      } catch (RuntimeException e) {
        scheduler.shutdownNow();
        throw e;
      }
      queue = q;
    }

    @Override
    public void close() {
      try {
        queue.close();
      } finally {
        scheduler.shutdownNow();
      }
    }
  }
}
