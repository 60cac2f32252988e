package io.queuekit.benchmarks;

import io.queuekit.conformance.redis.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code redis-waiters}: what {@value #PROCESSES} JVMs × {@value #QUEUES} idle queues (1,000
 * waiters, issue #16) cost one Redis server, in commands per second by command, from {@code INFO
 * commandstats} deltas over a window that covers one idle period (docs/DESIGN.md §3.6, §3.7).
 * Aim: under {@value #AIM} commands per second in total. The baseline is {@code BRPOP key 2}
 * loops (the claim wait), per waiter.
 *
 * <p>On demand only ({@code --only redis-waiters}, see {@link Scenarios#onDemand()}): at default
 * settings the window alone is a minute, more than the full run's budget has room for.
 */
final class RedisWaitersScenario implements Scenario {
  static final String KEY = "redis-waiters";
  static final int PROCESSES = 20;
  static final int QUEUES = 50;
  static final double AIM = 100;

  /** Covers one idle beat (2 × CONSUMER_TIMEOUT, 60 s) and one long BLPOP (60 s) per waiter. */
  private static final Duration WINDOW_FULL = Duration.ofSeconds(60);
  /** Past registration, the first claims and the first beat (one tick, 10 s). */
  private static final Duration SETTLE_FULL = Duration.ofSeconds(15);
  private static final Duration WAIT = Duration.ofSeconds(2);
  private static final int BASELINE_LOOPS = 50;
  private static final Duration BASELINE_WINDOW = Duration.ofSeconds(10);

  @Override
  public String key() {
    return KEY;
  }

  @Override
  public String title() {
    return "redis-waiters: 1,000 idle waiters across " + PROCESSES + " JVMs";
  }

  @Override
  public Optional<String> unavailable() {
    return Pipelines.redisUnavailable(Pipelines.queuekit(RedisScenario.TYPE));
  }

  @Override
  public Duration estimate(Profile profile) {
    // twenty JVM starts sharing 2 cores take about 30 s
    return profile == Profile.FULL
        ? WINDOW_FULL.plus(SETTLE_FULL).plus(BASELINE_WINDOW).plusSeconds(35)
        : Duration.ofSeconds(3);
  }

  @Override
  public Result run(Profile profile, boolean quiet) throws Exception {
    boolean full = profile == Profile.FULL;
    Map<String, Double> numbers = new LinkedHashMap<>();
    try (RedisServer redis = RedisServer.startPlain()) {
      IdleCost.Result base = IdleCost.baseline(redis.connStr(), full ? BASELINE_LOOPS : 2,
          full ? WAIT : Duration.ofMillis(200), Duration.ofMillis(full ? 2_000 : 100),
          full ? BASELINE_WINDOW : Duration.ofMillis(500));
      IdleCost.Result ours;
      if (full) {
        List<String> jvm = new ArrayList<>(List.of("-Xmx96m", "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC", "-D" + Pipelines.REDIS_PROPERTY + "=" + redis.connStr()));
        ours = IdleCost.acrossProcesses(redis.connStr(), QUEUES, WAIT, SETTLE_FULL, WINDOW_FULL, jvm,
            PROCESSES);
      } else {
        // the smoke test: two queues in this JVM and a 1 s window; a 1 s CONSUMER_TIMEOUT puts
        // the beat group's ticks (every 333 ms) in it, where a default idle period would not fit
        ours = IdleCost.ours(redis.connStr(), 2, Duration.ofMillis(200), Duration.ofMillis(100),
            Duration.ofSeconds(1), Duration.ofSeconds(1));
      }
      numbers.put("baseline.commandsPerWaiterPerSecond", base.perWaiterPerSecond());
      numbers.put("ours.commandsPerWaiterPerSecond", ours.perWaiterPerSecond());
      numbers.put("baseline.sentPerWaiterPerSecond", base.sentPerWaiterPerSecond());
      numbers.put("ours.sentPerWaiterPerSecond", ours.sentPerWaiterPerSecond());
      return new Result(markdown(full, base, ours), numbers);
    }
  }

  private static String markdown(boolean full, IdleCost.Result base, IdleCost.Result ours) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("idle `BRPOP key 2` loops (baseline)", "1 JVM",
        Integer.toString(base.waiters()), Text.count(base.perSecond()),
        Text.ratio(base.perWaiterPerSecond()), byCommand(base.calls(), base.seconds()),
        "—", "—"));
    String procs = full ? PROCESSES + " JVMs × " + QUEUES + " queues" : "1 JVM × 2 queues";
    double perSecond = ours.perSecond();
    rows.add(List.of("queuekit `WorkerPoolQueue`s, TYPE=redis, default settings", procs,
        Integer.toString(ours.waiters()), Text.count(perSecond),
        Text.ratio(ours.perWaiterPerSecond()), byCommand(ours.calls(), ours.seconds()),
        "< " + Text.integer((long) AIM) + " commands/s in total",
        full ? (perSecond < AIM ? "met" : "**not met**") : "— (smoke)"));
    return "### Idle cost of 1,000 waiters: commands per second by command\n\n"
        + "**Method:** " + procs + ", idle, with the same queue names in every JVM (every queue "
        + "has a waiter in each), nothing pushed; the server's `INFO commandstats` read before and after a "
        + Text.duration(ours.seconds() < 1 ? Duration.ofMillis((long) (ours.seconds() * 1000))
            : Duration.ofSeconds(Math.round(ours.seconds())))
        + " window, after every JVM said it was ready and " + Text.duration(SETTLE_FULL)
        + " more. The window covers one idle period at the default `CONSUMER_TIMEOUT` (30 s): "
        + "per waiter one long `BLPOP` (60 s), one heartbeat `SET` and one beat `EXISTS` (the "
        + "idle beat: due every 60 s, sent at the first tick after, so every 60 to 70 s); per "
        + "process one `EXISTS` over its queues' busy sets per tick "
        + "(10 s); per queue and process the registry read (`HKEYS`) every 60 to 120 s (the "
        + "first anywhere in 0 to 120 s after registration). Counts include commands run by "
        + "scripts (none run while idle). The baseline: threads looping on `BRPOP key 2` (the "
        + "claim wait), measured with " + base.waiters() + " threads, per waiter.\n\n"
        + Text.table(List.of("side", "processes", "waiters", "commands/s",
            "per waiter per second", "commands/s by command", "aim", "met"), rows)
        + "\n**Reading:** the same 1,000 waiters as `BRPOP key 2` loops would cost "
        + Text.count(base.perWaiterPerSecond() * 1000) + " commands/s.\n";
  }

  private static String byCommand(Map<String, Long> calls, double seconds) {
    if (calls.isEmpty()) {
      return "none";
    }
    StringBuilder by = new StringBuilder();
    calls.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .forEach(e -> by.append(by.length() == 0 ? "" : ", ").append('`').append(e.getKey())
            .append("` ").append(Text.count(e.getValue() / seconds)));
    return by.toString();
  }
}
