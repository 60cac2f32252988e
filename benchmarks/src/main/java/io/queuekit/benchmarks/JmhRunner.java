package io.queuekit.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.ListStatistics;

/**
 * Runs one JMH benchmark for several sides (values of one {@code @Param}) and pools each side's
 * measured iterations. The forks are interleaved (ours, baseline, ours, baseline, …) rather than
 * run side after side, so a neighbour's load on a shared machine hits both sides alike instead of
 * skewing the ratio.
 */
final class JmhRunner {
  private static final String ALLOC = "gc.alloc.rate.norm";

  private JmhRunner() {}

  /**
   * @param benchmark the benchmark method's class
   * @param method the {@code @Benchmark} method
   * @param sideParam the {@code @Param} whose values are the sides
   * @param sides the values, in table order
   * @param params every other {@code @Param}, fixed
   * @param quiet no JMH output (the smoke test)
   * @param itemsPerInvocation items one invocation moves: scores (invocations/s) and allocation
   *     (bytes per invocation) are scaled by it to items/s and bytes per item
   * @return each side's pooled iteration scores, per item
   * @throws RunnerException when a benchmark fails (JMH is told to fail on error)
   */
  static Map<String, SideResult> run(Class<?> benchmark, String method, String sideParam,
      List<String> sides, Map<String, String> params, JmhSettings settings, boolean quiet,
      int itemsPerInvocation) throws RunnerException {
    Map<String, List<Double>> scores = new LinkedHashMap<>();
    Map<String, List<Double>> alloc = new LinkedHashMap<>();
    Map<String, double[]> cpuAndItems = new LinkedHashMap<>();
    Map<String, double[]> serverAndItems = new LinkedHashMap<>();
    Map<String, List<Double>> cpuPerItem = new LinkedHashMap<>();
    Map<String, String> units = new LinkedHashMap<>();
    for (String side : sides) {
      scores.put(side, new ArrayList<>());
      alloc.put(side, new ArrayList<>());
      cpuAndItems.put(side, new double[2]);
      serverAndItems.put(side, new double[2]);
      cpuPerItem.put(side, new ArrayList<>());
    }
    int rounds = Math.max(settings.forks(), 1);
    for (int fork = 0; fork < rounds; fork++) {
      for (String side : sides) {
        ChainedOptionsBuilder b = new OptionsBuilder()
            .include("^" + Pattern.quote(benchmark.getName() + "." + method) + "$")
            .param(sideParam, side)
            .forks(settings.forks() == 0 ? 0 : 1)
            .warmupIterations(settings.warmupIterations())
            .warmupTime(time(settings.warmupTime()))
            .measurementIterations(settings.measurementIterations())
            .measurementTime(time(settings.measurementTime()))
            .shouldFailOnError(true)
            // Bytes allocated per item (gc.alloc.rate.norm), like CPU per item barely moved by
            // other load on the machine.
            .addProfiler(GCProfiler.class)
            .verbosity(quiet ? VerboseMode.SILENT : VerboseMode.NORMAL);
        params.forEach(b::param);
        if (settings.forks() > 0) {
          b.jvmArgs(settings.jvmArgs().toArray(new String[0]));
        }
        Collection<RunResult> results = new Runner(b.build()).run();
        if (results.size() != 1) {
          throw new IllegalStateException("expected one JMH result for " + side + ", got "
              + results.size());
        }
        for (RunResult r : results) {
          for (BenchmarkResult br : r.getBenchmarkResults()) {
            for (IterationResult ir : br.getIterationResults()) {
              scores.get(side).add(ir.getPrimaryResult().getScore() * itemsPerInvocation);
              units.put(side, "items/s");
              Map<String, Result> secondary = ir.getSecondaryResults();
              if (secondary.containsKey(ALLOC)) {
                alloc.get(side).add(secondary.get(ALLOC).getScore() / itemsPerInvocation);
              }
              if (secondary.containsKey("cpuNanos") && secondary.containsKey("items")) {
                double cpu = secondary.get("cpuNanos").getScore();
                double items = secondary.get("items").getScore();
                cpuAndItems.get(side)[0] += cpu;
                cpuAndItems.get(side)[1] += items;
                if (items > 0) {
                  cpuPerItem.get(side).add(cpu / items);
                }
                if (secondary.containsKey("serverCpuMicros")) {
                  serverAndItems.get(side)[0] +=
                      secondary.get("serverCpuMicros").getScore() * 1_000;
                  serverAndItems.get(side)[1] += items;
                }
              }
            }
          }
        }
      }
    }
    Map<String, SideResult> out = new LinkedHashMap<>();
    for (String side : sides) {
      double[] ci = cpuAndItems.get(side);
      double[] si = serverAndItems.get(side);
      double allocMean = alloc.get(side).stream().mapToDouble(Double::doubleValue).average()
          .orElse(Double.NaN);
      List<Double> perIteration = cpuPerItem.get(side);
      out.put(side, new SideResult(Score.of(scores.get(side), units.get(side)),
          ci[1] > 0 ? ci[0] / ci[1] : Double.NaN,
          perIteration.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
          perIteration.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN),
          allocMean, si[0] > 0 && si[1] > 0 ? si[0] / si[1] : Double.NaN));
    }
    return out;
  }

  /**
   * One side's results.
   *
   * @param throughput the primary score, pooled over every measured iteration of every fork
   * @param cpuNanosPerItem process CPU time over items handled, over the same iterations (NaN if
   *     the benchmark does not report them)
   * @param cpuNanosPerItemMin the lowest of the iterations' CPU time per item
   * @param cpuNanosPerItemMax the highest
   * @param allocBytesPerItem mean bytes allocated per item (NaN if not reported)
   * @param serverCpuNanosPerItem the Redis server's CPU time over items handled (NaN without a
   *     server)
   */
  record SideResult(Score throughput, double cpuNanosPerItem, double cpuNanosPerItemMin,
      double cpuNanosPerItemMax, double allocBytesPerItem, double serverCpuNanosPerItem) {}

  private static TimeValue time(java.time.Duration d) {
    return new TimeValue(d.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * A side's pooled score.
   *
   * @param mean mean of the measured iterations
   * @param error half-width of the 99.9 % confidence interval (Student's t); NaN with one sample
   * @param min slowest iteration
   * @param max fastest iteration
   * @param n measured iterations
   * @param unit JMH's unit, e.g. {@code ops/s}
   */
  record Score(double mean, double error, double min, double max, long n, String unit) {
    static Score of(List<Double> values, String unit) {
      if (values.isEmpty()) {
        throw new IllegalStateException("JMH produced no measured iterations");
      }
      ListStatistics s = new ListStatistics();
      for (double v : values) {
        s.addValue(v);
      }
      double error = s.getN() > 1 ? s.getMeanErrorAt(0.999) : Double.NaN;
      return new Score(s.getMean(), error, s.getMin(), s.getMax(), s.getN(), unit);
    }
  }
}
