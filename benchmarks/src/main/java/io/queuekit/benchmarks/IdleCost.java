package io.queuekit.benchmarks;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What idle queues cost a Redis server: the commands per second they send while nothing is pushed,
 * from the server's {@code INFO commandstats} (calls per command) read before and after a window.
 * The monitor's own {@code INFO} calls are left out; nothing else talks to the server during the
 * window.
 *
 * <ul>
 *   <li>ours: {@code WorkerPoolQueue}s with {@code TYPE=redis} and default settings (claim wait
 *       2 s, {@code CONSUMER_TIMEOUT} 30 s, so a heartbeat every 10 s), idle;
 *   <li>baseline: the hand-written idle consumer, one thread per queue looping on {@code BRPOP
 *       key 2} (the same 2 s wait) on its own connection;
 *   <li>ours across processes: {@value #PROCESSES} JVMs ({@link Child}) each opening the same
 *       queues, so every queue has a waiter in each.
 * </ul>
 */
final class IdleCost {
  static final int PROCESSES = 10;

  private IdleCost() {}

  /**
   * One measurement.
   *
   * @param waiters idle waiters (claim loops or BRPOP threads)
   * @param seconds the window
   * @param calls commands in the window, by command, from {@code INFO commandstats}: every command
   *     the server ran, those a Lua script ran included
   * @param sent commands clients sent (round trips), by command, from {@code MONITOR}
   * @param inScripts commands scripts ran, by command, from {@code MONITOR}
   */
  record Result(int waiters, double seconds, Map<String, Long> calls, Map<String, Long> sent,
      Map<String, Long> inScripts) {
    long total() {
      return calls.values().stream().mapToLong(Long::longValue).sum();
    }

    double sentPerWaiterPerSecond() {
      return sent.values().stream().mapToLong(Long::longValue).sum() / seconds / waiters;
    }

    double perSecond() {
      return total() / seconds;
    }

    double perWaiterPerSecond() {
      return perSecond() / waiters;
    }
  }

  /**
   * {@code queues} idle {@code WorkerPoolQueue}s in this JVM.
   *
   * @param wait the manager's claim wait (its default, 2 s, in the full run)
   */
  static Result ours(String uri, int queues, Duration wait, Duration settle, Duration window)
      throws Exception {
    return ours(uri, queues, wait, settle, window, null);
  }

  /**
   * @param consumerTimeout {@code CONSUMER_TIMEOUT}, or null for the default (30 s). A smoke run's
   *     window is shorter than a default idle period: a short timeout puts beats in it.
   */
  static Result ours(String uri, int queues, Duration wait, Duration settle, Duration window,
      Duration consumerTimeout) throws Exception {
    Path dataPath = Files.createTempDirectory("queuekit-bench-idle-");
    try (QueueManager m = manager(uri, dataPath, wait, consumerTimeout)) {
      for (int i = 0; i < queues; i++) {
        m.create(QueueSpec.simple("idle-" + i, Payload.class, batch -> List.of()));
      }
      Thread.sleep(settle.toMillis());
      return window(uri, window, queues);
    } finally {
      QueuekitPipeline.deleteTree(dataPath);
    }
  }

  /** The baseline: {@code queues} threads each looping on {@code BRPOP key wait}. */
  static Result baseline(String uri, int queues, Duration wait, Duration settle, Duration window)
      throws Exception {
    RedisClient client = RedisClient.create(uri);
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    List<StatefulRedisConnection<String, String>> conns = new ArrayList<>();
    try {
      for (int i = 0; i < queues; i++) {
        StatefulRedisConnection<String, String> c = client.connect();
        conns.add(c);
        String key = "bench:idle-baseline-" + i;
        Thread t = new Thread(() -> {
          try {
            while (!Thread.currentThread().isInterrupted()) {
              c.sync().brpop(wait.toMillis() / 1000.0, key);
            }
          } catch (RuntimeException e) {
            if (!Thread.currentThread().isInterrupted() && c.isOpen()) {
              synchronized (failures) {
                failures.add(e);
              }
            }
            // Otherwise: the window ended and close() cut the blocked BRPOP short.
          }
        }, "bench-idle-brpop-" + i);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
      Thread.sleep(settle.toMillis());
      Result r = window(uri, window, queues);
      synchronized (failures) {
        if (!failures.isEmpty()) {
          throw new IllegalStateException("an idle BRPOP thread failed", failures.get(0));
        }
      }
      return r;
    } finally {
      threads.forEach(Thread::interrupt);
      conns.forEach(StatefulRedisConnection::close);
      for (Thread t : threads) {
        t.join(5_000);
      }
      client.shutdown();
    }
  }

  /**
   * {@code processes} child JVMs, each with {@code queues} idle queues of the same names: {@code
   * processes × queues} waiters. The window starts once every child has said it is ready.
   */
  static Result acrossProcesses(String uri, int queues, Duration wait, Duration settle,
      Duration window, List<String> jvmArgs, int processes) throws Exception {
    return acrossProcesses(uri, queues, wait, settle, window, jvmArgs, processes, null);
  }

  /** @param consumerTimeout as for {@link #ours(String, int, Duration, Duration, Duration, Duration)} */
  static Result acrossProcesses(String uri, int queues, Duration wait, Duration settle,
      Duration window, List<String> jvmArgs, int processes, Duration consumerTimeout)
      throws Exception {
    String readyKey = "bench:idle-ready:" + System.nanoTime();
    List<Forks.Child> children = new ArrayList<>();
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      for (int i = 0; i < processes; i++) {
        children.add(Forks.start("idle-" + i, Child.class, jvmArgs,
            List.of(Integer.toString(queues), readyKey, Long.toString(wait.toMillis()),
                consumerTimeout == null ? "" : Long.toString(consumerTimeout.toMillis())),
            Duration.ofMinutes(3)));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (true) {
        String n = c.sync().get(readyKey);
        if (n != null && Integer.parseInt(n) == processes) {
          break;
        }
        for (Forks.Child ch : children) {
          if (!ch.process.isAlive()) {
            throw new IllegalStateException("idle child " + ch.name + " exited with "
                + ch.process.exitValue() + " before the window");
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("only " + n + " of " + processes
              + " idle children ready after 90 s");
        }
        Thread.sleep(50);
      }
      Thread.sleep(settle.toMillis());
      return window(uri, window, processes * queues);
    } finally {
      Forks.stop(children);
      client.shutdown();
    }
  }

  /** A child JVM: opens the idle queues, says it is ready, and waits to be stopped. */
  static final class Child {
    public static void main(String[] a) throws Exception {
      int queues = Integer.parseInt(a[0]);
      Path dataPath = Files.createTempDirectory("queuekit-bench-idle-");
      QueueManager m = manager(Pipelines.redisUri(), dataPath,
          Duration.ofMillis(Long.parseLong(a[2])),
          a.length > 3 && !a[3].isEmpty() ? Duration.ofMillis(Long.parseLong(a[3])) : null);
      for (int i = 0; i < queues; i++) {
        m.create(QueueSpec.simple("idle-" + i, Payload.class, batch -> List.of()));
      }
      RedisClient client = RedisClient.create(Pipelines.redisUri());
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        c.sync().incr(a[1]);
      } finally {
        client.shutdown();
      }
      // The parent ends this JVM (SIGTERM) after its window.
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  private static QueueManager manager(String uri, Path dataPath, Duration wait,
      Duration consumerTimeout) {
    QueueSettings.Builder s = QueueSettings.builder().type("redis").connStr(uri);
    if (consumerTimeout != null) {
      s.consumerTimeout(consumerTimeout);
    }
    return QueueManager.builder().dataPath(dataPath).claimWait(wait)
        .config(QueueConfig.of(s.build())).build();
  }

  /**
   * Calls per command during {@code window} from {@code INFO commandstats}, the monitor's own INFO
   * calls left out; and, from a {@code MONITOR} connection open over the same window, which of
   * them clients sent and which scripts ran.
   */
  private static Result window(String uri, Duration window, int waiters) throws Exception {
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> c = client.connect();
        RedisMonitor monitor = RedisMonitor.start(uri)) {
      Map<String, Long> before = commandStats(c.sync().info("commandstats"));
      long t0 = System.nanoTime();
      Thread.sleep(window.toMillis());
      Map<String, Long> after = commandStats(c.sync().info("commandstats"));
      double seconds = (System.nanoTime() - t0) / 1e9;
      Map<String, Long> delta = new TreeMap<>();
      after.forEach((cmd, n) -> {
        long d = n - before.getOrDefault(cmd, 0L);
        // INFO is this monitor's; MONITOR's own start lands before the first reading.
        if (d > 0 && !cmd.equals("info")) {
          delta.put(cmd, d);
        }
      });
      RedisMonitor.Counts m = monitor.stop();
      return new Result(waiters, seconds, delta, m.sent(), m.inScripts());
    } finally {
      client.shutdown();
    }
  }

  /** Parses {@code cmdstat_evalsha:calls=12,usec=...} lines into calls by command. */
  static Map<String, Long> commandStats(String info) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String line : info.split("\r?\n")) {
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      String cmd = line.substring("cmdstat_".length(), line.indexOf(':'));
      for (String kv : line.substring(line.indexOf(':') + 1).split(",")) {
        if (kv.startsWith("calls=")) {
          out.put(cmd, Long.parseLong(kv.substring("calls=".length())));
        }
      }
    }
    return out;
  }
}
