package io.queuekit.benchmarks;

import io.queuekit.JacksonCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The end-to-end comparison a backend scenario runs: throughput with JMH ({@link EndToEndBench})
 * and latency at a fixed rate ({@link LatencyHarness}), our side against each baseline under one
 * {@link PipelineConfig}, rendered as two tables with aims and readings. The channel scenario uses
 * it now; the level and redis scenarios reuse it with their own sides.
 *
 * <p>Ratios are always "ours ÷ baseline" of the same quantity: for throughput higher is better
 * for us, for latency lower is.
 */
final class EndToEndComparison {

  /**
   * One side of the tables.
   *
   * @param pipeline its {@link Pipelines} name
   * @param label what the table calls it
   * @param how its path from push to handler, one line
   * @param threads its threads, e.g. {@code 2 producers + 1 claim thread + 2 workers}
   * @param push what one push call is, e.g. {@code WorkerPoolQueue.pushAll} of 100
   */
  record Side(String pipeline, String label, String how, String threads, String push) {}

  /**
   * A baseline and what our side must achieve against it.
   *
   * @param side the baseline's side
   * @param throughputAim ours ÷ baseline items/s must be at least this
   * @param whyNotMet printed when the aim is missed, or met only within the run's noise: why
   *     (what our side does that the baseline does not, from the design) and what would change it
   */
  record Baseline(Side side, double throughputAim, String whyNotMet) {}

  /** The threads text of a side with one batching thread between store and workers. */
  static String batcherThreads(PipelineConfig c, String batcher) {
    return c.producers() + " producers + 1 " + batcher + " + " + c.workers() + " workers";
  }

  /** The threads text of a store loop: consumers claim, decode, handle and settle themselves. */
  static String loopThreads(PipelineConfig c) {
    return c.producers() + " producers + " + c.workers() + " consumers";
  }

  private final String throughputTitle;
  private final String latencyTitle;
  private final Side ours;
  private final List<Baseline> baselines;
  private final PipelineConfig config;
  private final int round;
  private final String batchRule;
  private final double latencyAim;
  private final String oursExtraWork;
  private final String latencyWhyNotMet;

  /**
   * @param throughputTitle the throughput table's heading
   * @param latencyTitle the latency table's heading (unused without latency settings)
   * @param round items per JMH invocation: a multiple of producers × batch length and of producers
   *     × push batch
   * @param batchRule how items become batches, the same on every side; null for the batcher rule
   *     ({@code BATCH_LENGTH} items, or {@code BATCH_DEBOUNCE} after the first)
   * @param latencyAim ours ÷ baseline latency must be at most this
   * @param oursExtraWork what our side does per item that the baselines do not, for the reading
   * @param latencyWhyNotMet printed when a latency aim is missed: why, from the design, and what
   *     would change it
   */
  EndToEndComparison(String throughputTitle, String latencyTitle, Side ours,
      List<Baseline> baselines, PipelineConfig config, int round, String batchRule,
      double latencyAim, String oursExtraWork, String latencyWhyNotMet) {
    this.throughputTitle = throughputTitle;
    this.latencyTitle = latencyTitle;
    this.ours = ours;
    this.baselines = List.copyOf(baselines);
    this.config = config;
    this.round = round;
    this.batchRule = batchRule;
    this.latencyAim = latencyAim;
    this.oursExtraWork = oursExtraWork;
    this.latencyWhyNotMet = latencyWhyNotMet;
  }

  /**
   * The same comparison with {@code items} per JMH invocation: the smoke test's smaller rounds,
   * so a side a hundred times slower than ours still fits its short iterations.
   */
  EndToEndComparison withRound(int items) {
    return new EndToEndComparison(throughputTitle, latencyTitle, ours, baselines, config, items,
        batchRule, latencyAim, oursExtraWork, latencyWhyNotMet);
  }

  private List<Side> sides() {
    List<Side> all = new ArrayList<>();
    all.add(ours);
    baselines.forEach(b -> all.add(b.side()));
    return all;
  }

  List<String> pipelines() {
    return sides().stream().map(Side::pipeline).toList();
  }

  /**
   * Runs the throughput comparison, and the latency one unless {@code latency} is null.
   *
   * @param numbers receives every measured number as {@code pipeline.metric}
   * @return the Markdown of the setup and the tables
   */
  String run(JmhSettings jmh, LatencyHarness.Settings latency, boolean quiet,
      Map<String, Double> numbers) throws Exception {
    return run(jmh, latency, LatencyHarness::run, "one clock, one JVM", quiet, numbers);
  }

  /**
   * As {@link #run(JmhSettings, LatencyHarness.Settings, boolean, Map)}, with the latency rounds
   * from {@code runner} (e.g. across processes), described by {@code clockNote}.
   */
  String run(JmhSettings jmh, LatencyHarness.Settings latency, LatencyHarness.Runner runner,
      String clockNote, boolean quiet, Map<String, Double> numbers) throws Exception {
    // The first table's heading, then the setup both tables share, then the tables.
    String heading = jmh != null ? throughputTitle
        : latencyTitle + latencyHeadingTail(latency);
    String md = "### " + heading + "\n\n" + setupTable() + "\n";
    if (jmh != null) {
      Map<String, JmhRunner.SideResult> throughput = jmh.sideBySide()
          ? SideBySide.run(pipelines(), config, round, jmh, quiet)
          : JmhRunner.run(EndToEndBench.class, "endToEnd", "pipeline", pipelines(), Map.of(
              "producers", Integer.toString(config.producers()),
              "workers", Integer.toString(config.workers()),
              "batchLength", Integer.toString(config.batchLength()),
              "pushBatch", Integer.toString(config.pushBatch()),
              "round", Integer.toString(round)),
          jmh, quiet, round);
      throughput.forEach((side, r) -> {
        numbers.put(side + ".itemsPerSecond", r.throughput().mean());
        numbers.put(side + ".cpuNanosPerItem", r.cpuNanosPerItem());
        numbers.put(side + ".allocBytesPerItem", r.allocBytesPerItem());
        if (!Double.isNaN(r.serverCpuNanosPerItem())) {
          numbers.put(side + ".serverCpuNanosPerItem", r.serverCpuNanosPerItem());
        }
      });
      md += throughputTable(throughput, jmh);
    }
    if (latency != null) {
      Map<String, List<LatencyHarness.Round>> lat = runner.run(pipelines(), config, latency);
      lat.forEach((side, rounds) -> {
        numbers.put(side + ".pushP50Micros", median(rounds, LatencyHarness.Round::pushP50));
        numbers.put(side + ".pushP99Micros", median(rounds, LatencyHarness.Round::pushP99));
        numbers.put(side + ".toHandlerP50Micros", median(rounds,
            LatencyHarness.Round::toHandlerP50));
        numbers.put(side + ".toHandlerP99Micros", median(rounds,
            LatencyHarness.Round::toHandlerP99));
        numbers.put(side + ".achievedRate", median(rounds, LatencyHarness.Round::achievedRate));
      });
      md += (jmh != null ? "\n### " + latencyTitle + latencyHeadingTail(latency) + "\n\n" : "")
          + latencyTable(lat, latency, clockNote);
    }
    return md;
  }

  private static int payloadBytes() {
    return JacksonCodec.of(Payload.class).encode(Payload.sample(1_234_567, System.nanoTime()))
        .length;
  }

  /** What each side runs and is given, so the table shows the sides match. */
  private String setupTable() {
    String batch = batchRule != null ? batchRule : config.batchLength() + " items, or "
        + Text.duration(config.batchDebounce()) + " after the first";
    String payload = "`Payload` (indexer job), " + payloadBytes() + " B of JSON";
    String codec = "`JacksonCodec`: encode on the producer, decode on the consumer";
    List<List<String>> rows = new ArrayList<>();
    for (Side side : sides()) {
      rows.add(List.of(side.label(), side.how(), side.threads(), side.push(), batch,
          Text.integer(config.length()), payload, codec));
    }
    return "**Setup, the same on every side:** the handler is one shared `Sink` that counts items "
        + "and sums their ids; every round checks each item arrived exactly once.\n\n"
        + Text.table(List.of("side", "push → handler path", "threads", "push call", "batch",
            "waiting items before push blocks", "payload", "codec"), rows);
  }

  private String throughputTable(Map<String, JmhRunner.SideResult> results, JmhSettings jmh) {
    JmhRunner.SideResult o = results.get(ours.pipeline());
    boolean server = results.values().stream()
        .anyMatch(r -> !Double.isNaN(r.serverCpuNanosPerItem()));
    List<List<String>> rows = new ArrayList<>();
    rows.add(withServer(server, o, List.of(ours.label(), scoreText(o.throughput()),
        range(o.throughput()), "—", "—", "—", cpuText(o), "—", allocText(o))));
    StringBuilder readings = new StringBuilder();
    for (Baseline bl : baselines) {
      Side b = bl.side();
      JmhRunner.SideResult r = results.get(b.pipeline());
      double ratio = o.throughput().mean() / r.throughput().mean();
      double cpuRatio = o.cpuNanosPerItem() / r.cpuNanosPerItem();
      boolean met = ratio >= bl.throughputAim();
      rows.add(withServer(server, r, List.of(b.label(), scoreText(r.throughput()),
          range(r.throughput()), Text.ratioAgainst(ratio, bl.throughputAim()),
          "≥ " + Text.ratio(bl.throughputAim()), met ? "met" : "**not met**",
          cpuText(r), Text.ratio(cpuRatio), allocText(r))));
      readings.append("\n**Reading (vs ").append(b.label()).append("):** ")
          .append(throughputReading(bl, o.throughput(), r.throughput(), ratio, met, cpuRatio))
          .append('\n');
    }
    String method = jmh.sideBySide()
        ? "side by side (`SideBySide`, not JMH): one round pushes " + Text.integer(round)
            + " items from the producer threads and ends when the handler has seen all of them "
            + "(each exactly once, checked); a window runs one untimed round, then rounds until "
            + "its time is up, and its items over its time is the score in items per second "
            + "through the whole pipeline. "
            + jmh.describe() + ". Why not JMH: a JMH fork runs one side from start to end, and "
            + "this machine's speed drifts by a third within minutes, so sides measured one after "
            + "another compared the machine's moods as much as the pipelines; taking turns window "
            + "by window gives every side the same ones. The ± is the 99.9 % confidence interval "
            + "of the mean over the measured windows (an \"iteration\" below is a window). CPU "
            + "per item is the side's process CPU time (every thread, GC included) over the items "
            + "handled in its measured windows, with the windows' min–max; allocated per item is "
            + "the bytes the side's threads allocated (`ThreadMXBean`, as JMH's "
            + "`gc.alloc.rate.norm` counts them) over the same items. Other "
        : "JMH 1.37, throughput mode; one invocation pushes "
            + Text.integer(round) + " items from the producer threads and returns when "
            + "the handler has seen all of them (each exactly once, checked); invocations per "
            + "second × " + Text.integer(round) + " is the score in items per second through the "
            + "whole pipeline. " + jmh.describe() + ". The ± is the 99.9 % confidence interval of "
            + "the mean over all measured iterations of all forks. CPU per item is the fork's "
            + "process CPU time (every thread, GC included) over the items handled in the measured "
            + "iterations, with the iterations' min–max; allocated per item is JMH's "
            + "`gc.alloc.rate.norm`. Other ";
    return "**Method:** " + method
        + "load on the machine moves CPU per item much less than items/s, and allocation per item "
        + "hardly at all, so they are the cross-check of a noisy run."
        + (server ? " Redis server CPU per item is the server's `used_cpu_user + used_cpu_sys` "
            + "(`INFO cpu`) over the same iterations' items: the work each side asks of the "
            + "server, which shares the 2 cores" + (jmh.sideBySide() ? " (side by side it "
            + "includes what the idle sides ask of it meanwhile: about 4 ms a second, some 3 % "
            + "of a window of ours)" : "") + "." : "") + "\n\n"
        + Text.table(withServer(server, null, List.of("side", "items/s (mean ± 99.9 % CI)",
            "iterations min–max", "ours ÷ side", "aim", "met", "CPU per item",
            "ours ÷ side (CPU)", "allocated per item")), rows)
        + readings;
  }

  String throughputReading(Baseline bl, JmhRunner.Score o, JmhRunner.Score b,
      double ratio, boolean met, double cpuRatio) {
    double throughputAim = bl.throughputAim();
    String verdict = "our side moves " + Text.ratioAgainst(ratio, throughputAim)
        + "× the baseline's items per second, "
        + "so the aim (≥ " + Text.ratio(throughputAim) + ") is " + (met ? "met" : "not met");
    boolean withinNoise = false;
    if (!Double.isNaN(o.error()) && !Double.isNaN(b.error()) && b.mean() > b.error()) {
      // The ratio's range if both means sat at the ends of their confidence intervals.
      double low = Math.max(0, o.mean() - o.error()) / (b.mean() + b.error());
      double high = (o.mean() + o.error()) / (b.mean() - b.error());
      verdict += "; the two intervals allow a ratio of " + Text.ratio(low) + "–"
          + Text.ratio(high);
      if (low < throughputAim && high >= throughputAim) {
        verdict += ", which spans the aim: the verdict is within the noise of this run";
        withinNoise = true;
      }
    } else if (!Double.isNaN(b.error())) {
      // No ratio range to give: the baseline's interval reaches zero.
      verdict += "; the baseline's interval is wider than its mean, so this run cannot tell the "
          + "two sides apart: read the CPU and allocation columns, or rerun on a quieter machine";
    }
    if (!Double.isNaN(cpuRatio)) {
      // With every core busy, items/s is inversely proportional to CPU per item.
      verdict += ". Each item costs our side " + Text.ratio(cpuRatio) + "× the baseline's CPU; "
          + "where the pipelines saturate every core, that suggests a throughput ratio near "
          + Text.ratio(1 / cpuRatio);
    }
    verdict += ". What our side does per item that the baseline does not: " + oursExtraWork + ".";
    if (!met) {
      verdict += " **Why not met, and what would change it:** " + bl.whyNotMet();
    } else if (withinNoise && ratio < 2 * throughputAim) {
      // met, but a rerun could miss it: the reader still needs what bounds our side
      verdict += " **Met within the noise; what bounds it:** " + bl.whyNotMet();
    }
    return verdict;
  }

  /** The row with the server CPU column appended when the run has a server (the header: r null). */
  private static List<String> withServer(boolean server, JmhRunner.SideResult r,
      List<String> row) {
    if (!server) {
      return row;
    }
    List<String> out = new ArrayList<>(row);
    out.add(r == null ? "Redis server CPU per item" : Double.isNaN(r.serverCpuNanosPerItem())
        ? "n/a" : Text.micros(r.serverCpuNanosPerItem() / 1000));
    return out;
  }

  private static String scoreText(JmhRunner.Score s) {
    return Text.count(s.mean()) + (Double.isNaN(s.error()) ? "" : " ± " + Text.count(s.error()));
  }

  private static String range(JmhRunner.Score s) {
    return Text.count(s.min()) + "–" + Text.count(s.max()) + " (n=" + s.n() + ")";
  }

  private static String cpuText(JmhRunner.SideResult r) {
    if (Double.isNaN(r.cpuNanosPerItem())) {
      return "n/a";
    }
    String pooled = Text.micros(r.cpuNanosPerItem() / 1000);
    return r.cpuNanosPerItemMin() == r.cpuNanosPerItemMax() ? pooled
        : pooled + " (" + Text.micros(r.cpuNanosPerItemMin() / 1000) + "–"
            + Text.micros(r.cpuNanosPerItemMax() / 1000) + ")";
  }

  private static String allocText(JmhRunner.SideResult r) {
    return Double.isNaN(r.allocBytesPerItem()) ? "n/a"
        : Text.integer(Math.round(r.allocBytesPerItem())) + " B";
  }

  private String latencyTable(Map<String, List<LatencyHarness.Round>> lat,
      LatencyHarness.Settings s, String clockNote) {
    List<LatencyHarness.Round> o = lat.get(ours.pipeline());
    List<String> header = new ArrayList<>(List.of("metric", ours.label()));
    for (Baseline bl : baselines) {
      header.add(bl.side().label());
      header.add("ours ÷ " + (baselines.size() == 1 ? "baseline" : bl.side().label()));
    }
    header.add("aim");
    header.add("met");
    List<List<String>> rows = new ArrayList<>();
    List<String> missed = new ArrayList<>();
    addLatencyRow(rows, missed, "push call p50", lat, LatencyHarness.Round::pushP50);
    addLatencyRow(rows, missed, "push call p99", lat, LatencyHarness.Round::pushP99);
    addLatencyRow(rows, missed, "push → handler p50", lat, LatencyHarness.Round::toHandlerP50);
    addLatencyRow(rows, missed, "push → handler p99", lat, LatencyHarness.Round::toHandlerP99);
    List<String> rate = new ArrayList<>(List.of("rate achieved (items/s)",
        Text.count(median(o, LatencyHarness.Round::achievedRate))));
    for (Baseline bl : baselines) {
      rate.add(Text.count(median(lat.get(bl.side().pipeline()),
          LatencyHarness.Round::achievedRate)));
      rate.add("");
    }
    rate.add("");
    rate.add("");
    rows.add(rate);
    double batchFillMs = config.batchLength() * 1000.0 / s.rate();
    String reading = "\n**Reading:** "
        + (missed.isEmpty() ? "every latency is within " + Text.ratio(latencyAim)
            + "× the baseline's. " : "not met for " + String.join("; ", missed) + ". ")
        + "At " + Text.integer(s.rate()) + " items/s a batch of " + config.batchLength()
        + " fills in " + Text.ratio(batchFillMs) + " ms, so on both sides push → handler is mostly "
        + "waiting for the batch to fill; the push call is the encode plus the hand-off to the "
        + "store. p99 on a shared 2-core machine mostly measures the scheduler."
        + (missed.isEmpty() || latencyWhyNotMet.isEmpty() ? ""
            : " **Why not met, and what would change it:** " + latencyWhyNotMet + ".")
        + "\n";
    return "**Method:** a paced harness, not JMH (JMH has no mode for a percentile at a fixed "
        + "offered rate): the producers push at a fixed total rate, each on its own schedule; the "
        + "push call is timed on the producer, and push → handler runs from just before the push "
        + "to the handler receiving the item's batch (" + clockNote + "). Each timed round gives "
        + "its own p50 and p99; cells show the median of the rounds, with min–max. "
        + s.describe() + ".\n\n"
        + Text.table(header, rows) + reading;
  }

  private static String latencyHeadingTail(LatencyHarness.Settings s) {
    return " at a fixed rate of " + Text.integer(s.rate()) + " items/s";
  }

  private void addLatencyRow(List<List<String>> rows, List<String> missed, String metric,
      Map<String, List<LatencyHarness.Round>> lat,
      ToDoubleFunction<LatencyHarness.Round> f) {
    List<LatencyHarness.Round> o = lat.get(ours.pipeline());
    double om = median(o, f);
    List<String> row = new ArrayList<>(List.of(metric, latencyCell(o, f)));
    boolean met = true;
    boolean overlap = true;
    for (Baseline bl : baselines) {
      List<LatencyHarness.Round> br = lat.get(bl.side().pipeline());
      double ratio = om / median(br, f);
      if (ratio > latencyAim) {
        met = false;
        // Our best round no slower than the baseline's worst: the rounds disagree more than the
        // sides do, so the miss says more about the machine than about the code.
        overlap &= min(o, f) <= max(br, f);
      }
      row.add(latencyCell(br, f));
      row.add(Text.ratioAgainst(ratio, latencyAim));
    }
    row.add("≤ " + Text.ratio(latencyAim));
    row.add(met ? "met" : "**not met**");
    if (!met) {
      missed.add(metric + (overlap ? " (within the noise: our rounds' range overlaps the "
          + "baseline's)" : ""));
    }
    rows.add(row);
  }

  private static double min(List<LatencyHarness.Round> rounds,
      ToDoubleFunction<LatencyHarness.Round> f) {
    return rounds.stream().mapToDouble(f).min().orElseThrow();
  }

  private static double max(List<LatencyHarness.Round> rounds,
      ToDoubleFunction<LatencyHarness.Round> f) {
    return rounds.stream().mapToDouble(f).max().orElseThrow();
  }

  private static String latencyCell(List<LatencyHarness.Round> rounds,
      ToDoubleFunction<LatencyHarness.Round> f) {
    double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
    String median = Text.micros(median(rounds, f));
    return v.length == 1 ? median
        : median + " (" + Text.micros(v[0]) + "–" + Text.micros(v[v.length - 1]) + ")";
  }

  static double median(List<LatencyHarness.Round> rounds,
      ToDoubleFunction<LatencyHarness.Round> f) {
    double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
    if (v.length == 0) {
      throw new IllegalStateException("no timed rounds");
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
