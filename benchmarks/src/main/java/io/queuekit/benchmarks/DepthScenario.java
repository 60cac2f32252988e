package io.queuekit.benchmarks;

import io.queuekit.conformance.redis.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code depth}: what waiting items cost each backend. (5) Heap held with 1,000,000 waiting items,
 * after a full GC, in a JVM that ran nothing else: the persistent backends should hold none of
 * them (aim: at most {@value #PERSISTENT_AIM_BYTES} B per waiting item, below any per-item
 * object), the in-memory one at most twice what an {@code ArrayBlockingQueue} of the encoded items
 * holds. (6) Push → claim → ack throughput at 10^4, 10^5 and 10^6 waiting items for level and
 * redis, which should stay flat (aim: the rate at 10^6 at least 0.8 of the rate at 10^4); the raw
 * store at the same depths is the baseline that shows whether the store itself slows down.
 *
 * <p>Each side runs in its own JVM ({@link DepthBench}); the Redis sides share one throwaway
 * server, emptied between them.
 */
final class DepthScenario implements Scenario {
  static final double PERSISTENT_AIM_BYTES = 4;
  static final double MEMORY_AIM_RATIO = 2;
  static final double FLAT_AIM = 0.8;

  /** A backend and its baseline. */
  private record Pair(String type, String baseline, String baselineLabel, boolean persistent,
      boolean scaling, String whyHeap, String whyFlat) {}

  private static final List<Pair> PAIRS = List.of(
      new Pair("channel", "abq", "`ArrayBlockingQueue<byte[]>` of the encoded items", false, false,
          "the in-memory store keeps, per item, its delivery counts, first-pushed time and "
              + "entry objects besides the encoded bytes; queue-channel could pack them into "
              + "one record (or parallel arrays) per item", ""),
      new Pair("level", "leveldbjni", "raw leveldbjni (sync=false)", true, true,
          "queue-level holds nothing per ready item in the heap by design (layout 2: the "
              + "payload lives in its LevelDB entry, the first-pushed times in at most 128 "
              + "buckets); only delayed items keep a header each in the delayed index. A miss "
              + "means some per-item state leaked into the heap: profile it (`jmap -histo`) in "
              + "the fork",
          "the raw store's ratio is the store's own slowdown at depth. Our side reads one "
              + "record per claimed item (the ready entry written at fill time, likely out of "
              + "LevelDB's block cache at depth, as the raw loop's), but then writes its payload "
              + "again under the in-flight key and deletes both, so it leaves twice the raw "
              + "loop's writes and tombstones for compaction, which slows reads of the deep "
              + "levels further; a profile of the fork at 10^6 would confirm it. Keeping only the "
              + "ready position under the in-flight key (the payload written once, deleted at "
              + "ack) or a larger block cache (`CONN_STR` option `cachesize`) would address it"),
      new Pair("redis", "lettuce", "raw Lettuce list (`LPUSH`/`RPOP`)", true, true,
          "queue-redis holds only in-flight deliveries in the heap by design; a miss means some "
              + "per-item state leaked into the client: profile the heap (`jmap -histo`) of "
              + "the fork",
          "Redis's list, hash and sorted-set operations our scripts use are O(1) or O(log N); "
              + "a slowdown beyond the baseline's points at a script doing O(N) work (a "
              + "`ZRANGE` or `HLEN` over the whole queue per call)"));

  /** Depths measured; the heap is read at the last. */
  private static final List<Integer> FULL_DEPTHS = List.of(10_000, 100_000, 1_000_000);
  private static final List<Integer> SMOKE_DEPTHS = List.of(100, 1_000);
  private static final Duration FULL_WINDOW = Duration.ofMillis(500);
  private static final int FULL_WINDOWS = 3;
  private static final Duration SMOKE_WINDOW = Duration.ofMillis(50);
  private static final List<String> JVM_ARGS = List.of("-Xms2g", "-Xmx2g");

  @Override
  public String key() {
    return "depth";
  }

  @Override
  public String title() {
    return "depth: heap with 1,000,000 waiting items, and throughput at 10^4–10^6 waiting";
  }

  @Override
  public Optional<String> unavailable() {
    return Pipelines.unavailable(Pipelines.BASEQUEUE_LEVEL);
  }

  /**
   * Budget estimate: JVM start, fill at rates measured on the project's 2-core machine (level's
   * {@code BaseQueue} fills slowest, about 40k items/s), and the windows.
   */
  @Override
  public Duration estimate(Profile profile) {
    if (profile == Profile.SMOKE) {
      return Duration.ofSeconds(6);
    }
    Duration windows = FULL_WINDOW.multipliedBy((long) FULL_WINDOWS * FULL_DEPTHS.size()
        + DepthBench.WARMUP_WINDOWS);
    Duration perJvm = windows.plusSeconds(3);
    // fill: channel, abq, leveldbjni, lettuce ~3 s each; level ~25 s; redis ~20 s
    Duration fill = Duration.ofSeconds(3 * 4 + 25 + 20);
    return perJvm.multipliedBy(6).plus(fill);
  }

  @Override
  public Result run(Profile profile, boolean quiet) throws Exception {
    boolean full = profile == Profile.FULL;
    Map<String, Double> numbers = new LinkedHashMap<>();
    Map<String, DepthBench.Result> results = new LinkedHashMap<>();
    Map<String, String> skipped = new LinkedHashMap<>();
    for (Pair p : PAIRS) {
      if (p.type().equals("redis")) {
        Optional<String> why = Pipelines.redisUnavailable(Pipelines.BASEQUEUE_REDIS);
        if (why.isPresent()) {
          skipped.put(p.type(), why.get());
          continue;
        }
        try (RedisServer redis = RedisServer.startPlain()) {
          String prop = "-D" + Pipelines.REDIS_PROPERTY + "=" + redis.connStr();
          results.put(p.type(), side(p.type(), full, prop));
          results.put(p.baseline(), side(p.baseline(), full, prop));
        }
      } else {
        results.put(p.type(), side(p.type(), full, null));
        results.put(p.baseline(), side(p.baseline(), full, null));
      }
    }
    results.forEach((side, r) -> {
      numbers.put(side + ".heapEmptyBytes", r.heapEmptyBytes());
      numbers.put(side + ".heapFullBytes", r.heapFullBytes());
      numbers.put(side + ".fillPerSecond", r.fillPerSecond());
      r.rates().forEach((depth, rates) -> numbers.put(side + ".itemsPerSecondAt" + depth,
          median(rates)));
    });
    List<Integer> depths = full ? FULL_DEPTHS : SMOKE_DEPTHS;
    return new Result(heapTable(results, skipped, depths, full) + "\n"
        + scalingTable(results, skipped, depths, full), numbers);
  }

  private static DepthBench.Result side(String side, boolean full, String redisProperty)
      throws Exception {
    List<Integer> depths = full ? FULL_DEPTHS : SMOKE_DEPTHS;
    Duration window = full ? FULL_WINDOW : SMOKE_WINDOW;
    int windows = full ? FULL_WINDOWS : 1;
    if (!full) {
      // In-process for the smoke test: the heap numbers mean nothing here, the run proves the
      // side works. The Redis property is set for the call only.
      String old = redisProperty == null ? null : System.setProperty(Pipelines.REDIS_PROPERTY,
          redisProperty.substring(redisProperty.indexOf('=') + 1));
      try {
        return DepthBench.measure(side, depths, window, windows);
      } finally {
        if (redisProperty != null) {
          if (old == null) {
            System.clearProperty(Pipelines.REDIS_PROPERTY);
          } else {
            System.setProperty(Pipelines.REDIS_PROPERTY, old);
          }
        }
      }
    }
    List<String> jvm = new ArrayList<>(JVM_ARGS);
    if (redisProperty != null) {
      jvm.add(redisProperty);
    }
    String csv = String.join(",", depths.stream().map(String::valueOf).toList());
    return Forks.run("depth-" + side, DepthBench.class, jvm, List.of(side, csv,
        Long.toString(window.toMillis()), Integer.toString(windows)), Duration.ofMinutes(3),
        DepthBench.Result.class);
  }

  private static String heapTable(Map<String, DepthBench.Result> results,
      Map<String, String> skipped, List<Integer> depths, boolean full) {
    int last = depths.get(depths.size() - 1);
    List<List<String>> rows = new ArrayList<>();
    StringBuilder readings = new StringBuilder();
    for (Pair p : PAIRS) {
      if (skipped.containsKey(p.type())) {
        rows.add(List.of(p.type(), "skipped: " + skipped.get(p.type()), "", "", "", "", "",
            ""));
        continue;
      }
      DepthBench.Result o = results.get(p.type());
      DepthBench.Result b = results.get(p.baseline());
      double ours = perItem(o, last);
      double base = perItem(b, last);
      String aim;
      boolean met;
      String ratio;
      if (p.persistent()) {
        aim = "≤ " + Text.integer((long) PERSISTENT_AIM_BYTES) + " B per item";
        met = ours <= PERSISTENT_AIM_BYTES;
        ratio = "—";
      } else {
        aim = "≤ " + Text.ratio(MEMORY_AIM_RATIO) + " × baseline";
        met = ours / base <= MEMORY_AIM_RATIO;
        ratio = Text.ratio(ours / base);
      }
      rows.add(List.of(p.type(), mib(o.heapEmptyBytes()) + " → " + mib(o.heapFullBytes()),
          bytes(ours), p.baselineLabel() + ": " + mib(b.heapEmptyBytes()) + " → "
              + mib(b.heapFullBytes()), bytes(base), ratio, aim, met ? "met" : "**not met**"));
      readings.append("\n**Reading (").append(p.type()).append("):** with ")
          .append(Text.integer(last)).append(" items waiting, our side's heap grew by ")
          .append(bytes(ours)).append(" per item, the baseline's by ").append(bytes(base))
          .append(met ? "; the aim is met." : "; the aim is not met. **Why, and what would "
              + "change it:** " + p.whyHeap() + ".").append('\n');
    }
    return "### Heap held with " + Text.integer(last) + " waiting items\n\n"
        + "**Method:** each side in its own JVM (" + (full ? String.join(" ", JVM_ARGS)
            : "in-process for the smoke test, so these numbers mean nothing") + "): open the "
        + "store (our backend's `BaseQueue` with `LENGTH` 10,000,000, or the baseline's raw "
        + "store), churn " + DepthBench.WARMUP_WINDOWS + " windows to warm up, read the heap "
        + "in use after full GCs (`System.gc()` until it stops shrinking), fill to each depth with batched pushes of "
        + "1,000 `Payload`s encoded by `JacksonCodec` (and churn, for the table below), then read "
        + "the heap again. Growth per item = (full − empty) ÷ " + Text.integer(last)
        + ". Off-heap memory (LevelDB's native cache, Redis's own) is not counted: the question "
        + "is what the JVM holds.\n\n"
        + Text.table(List.of("backend", "our heap: empty → full", "growth per waiting item",
            "baseline: empty → full", "baseline growth per item", "ours ÷ baseline", "aim", "met"),
            rows)
        + readings;
  }

  private static String scalingTable(Map<String, DepthBench.Result> results,
      Map<String, String> skipped, List<Integer> depths, boolean full) {
    int first = depths.get(0);
    int last = depths.get(depths.size() - 1);
    List<String> header = new ArrayList<>(List.of("backend", "side"));
    depths.forEach(d -> header.add(Text.integer(d) + " waiting (items/s)"));
    header.addAll(List.of(Text.integer(last) + " ÷ " + Text.integer(first), "aim", "met"));
    List<List<String>> rows = new ArrayList<>();
    StringBuilder readings = new StringBuilder();
    for (Pair p : PAIRS) {
      if (!p.scaling()) {
        continue;
      }
      if (skipped.containsKey(p.type())) {
        List<String> row = new ArrayList<>(List.of(p.type(), "skipped: " + skipped.get(p.type())));
        while (row.size() < header.size()) {
          row.add("");
        }
        rows.add(row);
        continue;
      }
      double oursFlat = flat(results.get(p.type()), first, last);
      double baseFlat = flat(results.get(p.baseline()), first, last);
      boolean met = oursFlat >= FLAT_AIM;
      rows.add(scalingRow(p.type(), "ours (`BaseQueue`)", results.get(p.type()), depths,
          Text.ratioAgainst(oursFlat, FLAT_AIM), "≥ " + Text.ratio(FLAT_AIM),
          met ? "met" : "**not met**"));
      rows.add(scalingRow(p.type(), "baseline: " + p.baselineLabel(), results.get(p.baseline()),
          depths, Text.ratio(baseFlat), "—", "—"));
      readings.append("\n**Reading (").append(p.type()).append("):** our rate at ")
          .append(Text.integer(last)).append(" waiting is ").append(Text.ratio(oursFlat))
          .append("× the rate at ").append(Text.integer(first)).append(" (the raw store's: ")
          .append(Text.ratio(baseFlat)).append("×)")
          .append(met ? "; flat within the aim." : "; the aim is not met. **Why, and what "
              + "would change it:** " + p.whyFlat() + ".").append('\n');
    }
    return "### Throughput at " + String.join(", ", depths.stream().map(Text::integer).toList())
        + " waiting items\n\n"
        + "**Method:** in the same JVMs as above, after filling to each depth: one thread churns "
        + "at that depth, pushing " + DepthBench.CHURN_BATCH + " items in one batched call, then "
        + "claiming (taking) as many, decoding and acknowledging them, so every claim reads the "
        + "oldest items, written during the fill. " + (full ? FULL_WINDOWS + " windows of "
            + Text.duration(FULL_WINDOW) : "1 window of " + Text.duration(SMOKE_WINDOW))
        + " per depth; cells show the median window, with min–max. One thread: this measures "
        + "how the cost of one push → claim → ack cycle moves with the depth, not peak "
        + "throughput (see the level and redis sections for that).\n\n"
        + Text.table(header, rows) + readings;
  }

  private static List<String> scalingRow(String backend, String side, DepthBench.Result r,
      List<Integer> depths, String ratio, String aim, String met) {
    List<String> row = new ArrayList<>(List.of(backend, side));
    for (int d : depths) {
      List<Double> rates = r.rates().get(Integer.toString(d));
      double min = rates.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      double max = rates.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
      row.add(Text.count(median(rates)) + (rates.size() > 1 ? " (" + Text.count(min) + "–"
          + Text.count(max) + ")" : ""));
    }
    row.addAll(List.of(ratio, aim, met));
    return row;
  }

  private static double flat(DepthBench.Result r, int first, int last) {
    return median(r.rates().get(Integer.toString(last)))
        / median(r.rates().get(Integer.toString(first)));
  }

  private static double perItem(DepthBench.Result r, int items) {
    return (r.heapFullBytes() - r.heapEmptyBytes()) / items;
  }

  private static String mib(double b) {
    return Text.count(b / (1 << 20)) + " MiB";
  }

  private static String bytes(double b) {
    // A heap that shrank by less than 0.05 B per item is unchanged, not "-0.0".
    double shown = Math.abs(b) < 0.05 ? 0 : b;
    return (Math.abs(shown) < 10 ? String.format(java.util.Locale.ROOT, "%.1f", shown)
        : Text.integer(Math.round(shown))) + " B";
  }

  static double median(List<Double> v) {
    double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
