package io.queuekit.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The cross-process latency sweep: a producer JVM pushes one item per call at rising offered
 * rates and a consumer JVM handles ({@link CrossProcessLatency}), for each side in turn, one pair
 * of JVMs per side and rate. Each point keeps the push → handler p50 and p99 (medians over the
 * timed rounds), the rate the producers achieved, and where the machine's CPU went while it ran:
 * the Redis server's share ({@code INFO cpu}) and everything else's (the two JVMs, from {@code
 * /proc/stat}), each in cores. The knee is the first rate either side's producers fell short of
 * (achieved below 95 % of offered) or our p99 passed the aim; the reading says which resource
 * ran out there.
 *
 * <p>The charts are Mermaid {@code xychart-beta} blocks written into BENCHMARKS.md, which GitHub
 * draws in place: no image files, no plotting library in the benchmark jar.
 *
 * <p><b>Thread-safety:</b> one sweep at a time; it starts child JVMs and waits for them.
 */
final class LatencySweep {
  /** The aim below the knee: push → handler p99 under 5 ms. */
  static final double P99_AIM_MICROS = 5_000;
  /** Achieved below this share of the offered rate: the producers could not keep up. */
  private static final double KEPT_UP = 0.95;
  /** Line colours of the charts, in the order the sides are drawn: ours, then the baseline. */
  private static final String PALETTE = "#1f77b4, #ff7f0e";

  /** One side at one offered rate. */
  record Point(String side, int offered, double achieved, double p50Micros, double p99Micros,
      double serverCores, double otherCores) {
    boolean keptUp() {
      return achieved >= KEPT_UP * offered;
    }
  }

  private LatencySweep() {}

  /**
   * Runs every side at every rate, lowest rate first.
   *
   * @param settings the rounds of each point; its rate is replaced by each of {@code rates}
   */
  static List<Point> run(String redisUri, List<String> sides, List<Integer> rates,
      PipelineConfig config, LatencyHarness.Settings settings, boolean quiet) throws Exception {
    List<Point> out = new ArrayList<>();
    for (int rate : rates) {
      for (String side : sides) {
        LatencyHarness.Settings s = settings.atRate(rate);
        long serverBefore = ServerCpu.micros(redisUri);
        long[] machineBefore = machineJiffies();
        long start = System.nanoTime();
        Map<String, List<LatencyHarness.Round>> rounds =
            CrossProcessLatency.run(List.of(side), config, s, false);
        double seconds = (System.nanoTime() - start) / 1e9;
        double server = (ServerCpu.micros(redisUri) - serverBefore) / 1e6 / seconds;
        long[] machineAfter = machineJiffies();
        // jiffies are 1/100 s (USER_HZ) on Linux
        double busy = (machineAfter[0] - machineBefore[0]) / 100.0 / seconds;
        List<LatencyHarness.Round> r = rounds.get(side);
        Point p = new Point(side, rate, median(r, LatencyHarness.Round::achievedRate),
            median(r, LatencyHarness.Round::toHandlerP50),
            median(r, LatencyHarness.Round::toHandlerP99), server, Math.max(0, busy - server));
        if (!quiet) {
          System.out.printf(Locale.ROOT, "sweep %s at %d/s: achieved %.0f/s, p50 %.0f µs, "
                  + "p99 %.0f µs, server %.2f cores, other %.2f cores%n", side, rate,
              p.achieved(), p.p50Micros(), p.p99Micros(), server, p.otherCores());
        }
        out.add(p);
      }
    }
    return out;
  }

  /** The sweep's section of BENCHMARKS.md: method, charts, table and reading. */
  static String markdown(List<Point> points, List<String> sides, Map<String, String> labels,
      String method) {
    List<Integer> rates = points.stream().map(Point::offered).distinct().sorted().toList();
    StringBuilder md = new StringBuilder("### Latency sweep across processes\n\n");
    md.append("**Method:** ").append(method).append(" Aim: push → handler p99 under ")
        .append(Text.micros(P99_AIM_MICROS)).append(" at every rate below the knee.\n\n");
    md.append("Lines: ");
    String[] colours = PALETTE.split(", ");
    for (int i = 0; i < sides.size(); i++) {
      md.append(i == 0 ? "" : ", ").append(i == 0 ? "blue" : "orange").append(" (")
          .append(colours[i]).append("): ").append(labels.get(sides.get(i)));
    }
    md.append(". A rate a side's producers could not reach is still drawn: its latency then "
        + "includes the backlog.\n\n");
    md.append(chart("push → handler p50 (ms) against offered items/s", points, sides, rates,
        Point::p50Micros));
    md.append(chart("push → handler p99 (ms) against offered items/s", points, sides, rates,
        Point::p99Micros));
    List<List<String>> rows = new ArrayList<>();
    for (Point p : points) {
      rows.add(List.of(labels.get(p.side()), Text.integer(p.offered()),
          Text.integer(Math.round(p.achieved())), Text.micros(p.p50Micros()),
          Text.micros(p.p99Micros()), String.format(Locale.ROOT, "%.2f", p.serverCores()),
          String.format(Locale.ROOT, "%.2f", p.otherCores()),
          p.side().equals(sides.get(0)) && p.keptUp()
              ? (p.p99Micros() < P99_AIM_MICROS ? "met" : "**not met**") : "—"));
    }
    md.append(Text.table(List.of("side", "offered items/s", "achieved items/s",
        "push → handler p50", "push → handler p99", "Redis server (cores)",
        "producer + consumer JVMs and the rest (cores)", "p99 aim"), rows));
    md.append('\n').append(reading(points, sides, labels)).append('\n');
    return md.toString();
  }

  private static String chart(String title, List<Point> points, List<String> sides,
      List<Integer> rates, ToDoubleFunction<Point> micros) {
    double max = points.stream().mapToDouble(micros).max().orElse(1) / 1000;
    StringBuilder c = new StringBuilder("```mermaid\n---\nconfig:\n  themeVariables:\n"
        + "    xyChart:\n      plotColorPalette: \"" + PALETTE + "\"\n---\nxychart-beta\n");
    c.append("  title \"").append(title).append("\"\n");
    c.append("  x-axis \"offered items/s\" [");
    for (int i = 0; i < rates.size(); i++) {
      c.append(i == 0 ? "" : ", ").append('"').append(Text.integer(rates.get(i))).append('"');
    }
    c.append("]\n");
    c.append(String.format(Locale.ROOT, "  y-axis \"ms\" 0 --> %.2f%n", Math.max(0.01,
        Math.ceil(max * 1.1 * 100) / 100)));
    for (String side : sides) {
      c.append("  line [");
      for (int i = 0; i < rates.size(); i++) {
        int rate = rates.get(i);
        double v = points.stream().filter(p -> p.side().equals(side) && p.offered() == rate)
            .mapToDouble(micros).findFirst().orElse(Double.NaN) / 1000;
        c.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", v));
      }
      c.append("]\n");
    }
    return c.append("```\n\n").toString();
  }

  /**
   * The knees in words: where our producers first fell short of the offered rate (throughput),
   * what the machine was doing there, and how p99 stood against the aim below it.
   */
  static String reading(List<Point> points, List<String> sides, Map<String, String> labels) {
    String ours = sides.get(0);
    List<Point> mine = points.stream().filter(p -> p.side().equals(ours)).toList();
    Point shortfall = mine.stream().filter(p -> !p.keptUp()).findFirst().orElse(null);
    StringBuilder r = new StringBuilder("**Reading:** ");
    if (shortfall == null) {
      Point last = mine.get(mine.size() - 1);
      r.append(labels.get(ours)).append(" kept up at every rate up to ")
          .append(Text.integer(last.offered())).append(" items/s; at the top rate the server "
              + "used ").append(cores(last.serverCores())).append(" and everything else ")
          .append(cores(last.otherCores())).append(" of the 2.");
    } else {
      double busy = shortfall.serverCores() + shortfall.otherCores();
      r.append("the throughput knee of ").append(labels.get(ours)).append(" is at ")
          .append(Text.integer(shortfall.offered())).append(" items/s offered, where its "
              + "producers reached ").append(Text.integer(Math.round(shortfall.achieved())))
          .append(" items/s. There the server used ").append(cores(shortfall.serverCores()))
          .append(" and the machine ").append(cores(busy)).append(" of 2 (over the pair's "
              + "run, JVM start-up included)");
      r.append(shortfall.serverCores() >= 0.85
          ? ": the server's one thread was the bound."
          : ": the server was not the bound. Each producer thread waits for its push's reply "
              + "before the next (one script per push, which runs the queue's bookkeeping on "
              + "the server: key-type checks, the waiting count, the first-pushed count, the "
              + "wake check), so two threads cap the rate at two over the round trip, and the "
              + "round trip grows as the producer JVM, the consumer JVM and the server share "
              + "the 2 cores.");
      for (String side : sides.subList(1, sides.size())) {
        points.stream().filter(p -> p.side().equals(side)
            && p.offered() == shortfall.offered()).findFirst().ifPresent(theirs -> r
            .append(" At that rate ").append(labels.get(side)).append(" achieved ")
            .append(Text.integer(Math.round(theirs.achieved()))).append(" items/s (one `LPUSH` "
                + "per push)."));
      }
    }
    List<Point> below = mine.stream()
        .filter(p -> shortfall == null || p.offered() < shortfall.offered()).toList();
    List<String> missed = below.stream().filter(p -> p.p99Micros() >= P99_AIM_MICROS)
        .map(p -> Text.integer(p.offered())).toList();
    r.append(shortfall == null ? " Its p99 was under the aim (" : " Below the knee, p99 was "
        + "under the aim (").append(Text.micros(P99_AIM_MICROS))
        .append(") at ").append(below.size() - missed.size()).append(" of ").append(below.size())
        .append(" rates");
    r.append(missed.isEmpty() ? "." : "; not at " + String.join(", ", missed) + " items/s. p99 "
        + "on a shared 2-core machine is mostly the scheduler: a worker, the claim thread or "
        + "the server waiting for a core.");
    return r.toString();
  }

  private static String cores(double c) {
    return String.format(Locale.ROOT, "%.2f cores", c);
  }

  private static double median(List<LatencyHarness.Round> rounds,
      ToDoubleFunction<LatencyHarness.Round> f) {
    double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** {busy, total} jiffies of the whole machine, from the first line of /proc/stat. */
  private static long[] machineJiffies() throws IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII).get(0)
        .trim().split("\\s+");
    long total = 0;
    long idle = 0;
    for (int i = 1; i < f.length; i++) {
      long v = Long.parseLong(f[i]);
      total += v;
      if (i == 4 || i == 5) { // idle, iowait
        idle += v;
      }
    }
    return new long[] {total - idle, total};
  }
}
