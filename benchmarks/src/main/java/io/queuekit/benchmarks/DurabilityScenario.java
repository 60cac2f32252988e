package io.queuekit.benchmarks;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.queuekit.Durability;
import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.conformance.redis.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code durability}: what {@code DURABILITY} costs a Redis queue. Push → handled items per
 * second through a {@link WorkerPoolQueue} ({@code TYPE=redis}, 4 producer threads pushing one
 * item per call, 2 workers) with {@code DURABILITY=none} (the baseline), {@code replica} ({@code
 * WAIT 1} after each push and ack, a replica on the same machine), {@code aof} ({@code WAITAOF 1
 * 0}: Redis ≥ 7.2, else Valkey where installed; with {@code appendfsync always} and {@code
 * everysec}, each against {@code none} on the same server) and, as the reference people know,
 * {@code DURABILITY=none} against a
 * server with {@code appendfsync always}. The sides run in interleaved windows in one JVM; each
 * ratio is the median of the per-round ratios against the baseline's window of the same round.
 *
 * <p><b>Thread-safety:</b> stateless; {@link #run} starts and stops its own servers.
 */
final class DurabilityScenario implements Scenario {
  static final double REPLICA_AIM = 0.5;
  private static final int PRODUCERS = 4;
  private static final Duration FULL_WINDOW = Duration.ofMillis(1000);
  private static final int FULL_ROUNDS = 3;
  private static final Duration SMOKE_WINDOW = Duration.ofMillis(200);

  @Override
  public String key() {
    return "durability";
  }

  @Override
  public String title() {
    return "durability: what DURABILITY costs a Redis push → handled";
  }

  @Override
  public Optional<String> unavailable() {
    return Pipelines.redisUnavailable(Pipelines.BASEQUEUE_REDIS);
  }

  /** Servers start (~3 s), then rounds × up to 7 sides × (window + drain, ~0.3 s). */
  @Override
  public Duration estimate(Profile profile) {
    if (profile == Profile.SMOKE) {
      return Duration.ofSeconds(4);
    }
    return FULL_WINDOW.plusMillis(300).multipliedBy(FULL_ROUNDS * 7L).plusSeconds(3);
  }

  /**
   * One measured configuration; its ratio is against side {@code baseline}'s window of the same
   * round ({@code DURABILITY=none} on a server configured as its own).
   */
  private record Side(String name, String label, RedisServer server, Durability durability,
      String baseline) {
    Side(String name, String label, RedisServer server, Durability durability) {
      this(name, label, server, durability, "none");
    }
  }

  @Override
  public Result run(Profile profile, boolean quiet) throws Exception {
    boolean full = profile == Profile.FULL;
    Duration window = full ? FULL_WINDOW : SMOKE_WINDOW;
    int rounds = full ? FULL_ROUNDS : 1;
    List<AutoCloseable> open = new ArrayList<>();
    try {
      RedisServer master = track(open, RedisServer.startPlain());
      // up, synced, and acknowledging writes promptly: measure only after that
      track(open, RedisServer.startPlain()).replicate(master);
      RedisServer always = track(open, RedisServer.builder().appendOnly().build().start());
      String version = version(master);
      List<Side> sides = new ArrayList<>(List.of(
          new Side("none", "`DURABILITY=none` (baseline)", master, Durability.none()),
          new Side("replica", "`DURABILITY=replica` (`WAIT 1`, replica on this machine)", master,
              Durability.replicas(1)),
          new Side("always", "`DURABILITY=none`, server `appendfsync always` (reference)", always,
              Durability.none())));
      boolean waitaof = atLeast72(version);
      // Debian 12's Redis 7.0 has no WAITAOF: measure aof on Valkey 8 (forked from Redis 7.2),
      // each aof side against DURABILITY=none on the same server and fsync policy
      boolean valkey = !waitaof && RedisServer.valkeyUnavailable().isEmpty();
      String aofServer = waitaof ? "Redis " + version : null;
      if (waitaof || valkey) {
        RedisServer everysec = track(open, aofBuilder(valkey).arg("appendonly", "yes")
            .arg("appendfsync", "everysec").build().start());
        RedisServer fsyncAlways = waitaof ? always
            : track(open, aofBuilder(true).appendOnly().build().start());
        if (valkey) {
          aofServer = "Valkey " + field(everysec, "valkey_version");
          sides.add(new Side("valkey-always", "`DURABILITY=none`, " + aofServer
              + " `appendfsync always` (baseline of the next)", fsyncAlways, Durability.none(),
              "valkey-always"));
        }
        sides.add(new Side("aof-always", "`DURABILITY=aof` (`WAITAOF 1 0`), " + aofServer
            + " `appendfsync always`", fsyncAlways, Durability.aof(),
            valkey ? "valkey-always" : "always"));
        sides.add(new Side("everysec", "`DURABILITY=none`, " + aofServer
            + " `appendfsync everysec` (baseline of the next)", everysec, Durability.none(),
            "everysec"));
        sides.add(new Side("aof", "`DURABILITY=aof` (`WAITAOF 1 0`), " + aofServer
            + " `appendfsync everysec`", everysec, Durability.aof(), "everysec"));
      }
      Map<String, Bench> benches = new LinkedHashMap<>();
      for (Side s : sides) {
        benches.put(s.name(), track(open, new Bench(s)));
      }
      Map<String, List<Double>> rates = new LinkedHashMap<>();
      for (int r = 0; r < rounds; r++) {
        for (Side s : sides) {
          rates.computeIfAbsent(s.name(), k -> new ArrayList<>())
              .add(benches.get(s.name()).measure(window));
        }
      }
      Map<String, Double> numbers = new LinkedHashMap<>();
      List<List<String>> rows = new ArrayList<>();
      double replicaRatio = Double.NaN;
      for (Side s : sides) {
        List<Double> ratios = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          ratios.add(rates.get(s.name()).get(r) / rates.get(s.baseline()).get(r));
        }
        double rate = median(rates.get(s.name()));
        double ratio = median(ratios);
        numbers.put(s.name() + ".itemsPerSecond", rate);
        numbers.put(s.name() + ".ratioToNone", ratio);
        if (s.name().equals("replica")) {
          replicaRatio = ratio;
        }
        rows.add(List.of(s.label(), Text.count(rate), Text.ratio(ratio)));
      }
      if (aofServer == null) {
        rows.add(List.of("`DURABILITY=aof` (`WAITAOF 1 0`)", "not measurable",
            "Redis " + version + " has no `WAITAOF` (7.2 added it) and no Valkey is installed; "
                + "the queue refuses `DURABILITY=aof` at open naming the version"));
      }
      String md = "### Push → handled with each DURABILITY\n\n"
          + "**Method:** one JVM, a `QueueManager` per side with one `TYPE=redis` queue "
          + "(`MAX_WORKERS=2`, `BATCH_LENGTH=20`); " + PRODUCERS + " producer threads push one "
          + "item per call for a " + Text.duration(window) + " window, the handler counts; "
          + rounds + " interleaved round(s); ratios are medians of per-round ratios against "
          + "`none` of the same round on a server set up the same way (the first row, or the "
          + "row named as the baseline). Servers: Redis " + version + " on this machine; the "
          + "replica is a second local redis-server, so `WAIT` costs a loopback round trip, "
          + "not a network's."
          + (valkey ? " Redis " + version + " has no `WAITAOF`, so the `aof` rows run on "
              + aofServer + " (from bookworm-backports), which has it." : "")
          + "\n\n"
          + Text.table(List.of("side", "items/s", "× none"), rows) + "\n"
          + Text.table(List.of("comparison", "aim", "measured", "met"), List.of(List.of(
              "`replica` ÷ `none`", "≥ " + Text.ratio(REPLICA_AIM),
              Text.ratioAgainst(replicaRatio, REPLICA_AIM),
              replicaRatio >= REPLICA_AIM ? "met" : "**not met**"))) + "\n"
          + "**Reading:** each push and each ack waits for its `WAIT`, which the server answers "
          + "once the replica acknowledged the write's offset (the server asks for that "
          + "acknowledgement, `REPLCONF GETACK`, as soon as a client waits); one `WAIT` covers "
          + "every earlier write on the "
          + "shared connection, so concurrent producers share the wait. While it waits the "
          + "server holds back the connection's next commands, which is where the cost comes "
          + "from. `appendfsync always` fsyncs in the server's event loop before replying, "
          + "for everyone."
          + (aofServer != null ? " `WAITAOF 1 0` returns once the server's append-only file "
              + "was fsynced past the connection's writes: with `appendfsync always` the server "
              + "fsyncs before it replies, so the wait is one more round trip; with `everysec` "
              + "it waits for an fsync that covers them, shared by every write before it (the "
              + "ratio, not the setting's once a second, tells how long that takes)."
              : " The `aof` path is unmeasured on this machine.")
          + "\n";
      return new Result(md, numbers);
    } finally {
      for (int i = open.size() - 1; i >= 0; i--) {
        open.get(i).close();
      }
    }
  }

  private static <T extends AutoCloseable> T track(List<AutoCloseable> open, T c) {
    open.add(c);
    return c;
  }

  /** A queue on one side's server, fed by producer threads for one window at a time. */
  private static final class Bench implements AutoCloseable {
    private final Path dataPath;
    private final QueueManager manager;
    private final WorkerPoolQueue<Integer> queue;
    private final AtomicLong handled = new AtomicLong();
    private final AtomicLong pushed = new AtomicLong();

    Bench(Side side) throws Exception {
      dataPath = Files.createTempDirectory("queuekit-bench-durability-");
      QueueSettings settings = QueueSettings.builder().type("redis")
          .connStr(side.server().connStr()).durability(side.durability())
          .maxWorkers(2).batchLength(20).batchDebounce(Duration.ZERO).build();
      manager = QueueManager.builder().dataPath(dataPath).config(QueueConfig.of(settings))
          .build();
      queue = manager.createSimple("durability-" + side.name(), Integer.class, batch -> {
        handled.addAndGet(batch.size());
        return List.of();
      });
    }

    /** Items handled per second while producers push for {@code window}. */
    double measure(Duration window) throws InterruptedException {
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> producers = new ArrayList<>();
      for (int p = 0; p < PRODUCERS; p++) {
        Thread t = new Thread(() -> {
          int i = 0;
          while (!stop.get()) {
            queue.push(i++);
            pushed.incrementAndGet();
          }
        }, "durability-producer-" + p);
        producers.add(t);
      }
      long h0 = handled.get();
      long t0 = System.nanoTime();
      producers.forEach(Thread::start);
      Thread.sleep(window.toMillis());
      long h1 = handled.get();
      long t1 = System.nanoTime();
      stop.set(true);
      for (Thread t : producers) {
        t.join();
      }
      // drain, so the next side's window does not share the server with this one's backlog
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (handled.get() < pushed.get() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      return (h1 - h0) * 1e9 / (t1 - t0);
    }

    @Override
    public void close() throws Exception {
      manager.close();
      QueuekitPipeline.deleteTree(dataPath);
    }
  }

  private static String version(RedisServer server) {
    return field(server, "redis_version");
  }

  private static String field(RedisServer server, String name) {
    Matcher m = Pattern.compile(name + ":(\\S+)").matcher(info(server, "server"));
    return m.find() ? m.group(1) : "unknown";
  }

  private static RedisServer.Builder aofBuilder(boolean valkey) {
    return valkey ? RedisServer.builder().valkey() : RedisServer.builder();
  }

  static boolean atLeast72(String version) {
    String[] v = version.split("\\.");
    try {
      int major = Integer.parseInt(v[0]);
      return major > 7 || major == 7 && v.length > 1 && Integer.parseInt(v[1]) >= 2;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String info(RedisServer server, String section) {
    RedisClient client = RedisClient.create(server.connStr());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      return c.sync().info(section);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(Double::compare);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}
