package io.queuekit.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
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
  private JmhRunner() {}

  /**
   * @param benchmark the benchmark method's class
   * @param method the {@code @Benchmark} method
   * @param sideParam the {@code @Param} whose values are the sides
   * @param sides the values, in table order
   * @param params every other {@code @Param}, fixed
   * @param quiet no JMH output (the smoke test)
   * @return each side's pooled iteration scores
   * @throws RunnerException when a benchmark fails (JMH is told to fail on error)
   */
  static Map<String, Score> run(Class<?> benchmark, String method, String sideParam,
      List<String> sides, Map<String, String> params, JmhSettings settings, boolean quiet)
      throws RunnerException {
    Map<String, List<Double>> scores = new LinkedHashMap<>();
    Map<String, String> units = new LinkedHashMap<>();
    for (String side : sides) {
      scores.put(side, new ArrayList<>());
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
              scores.get(side).add(ir.getPrimaryResult().getScore());
              units.put(side, ir.getPrimaryResult().getScoreUnit());
            }
          }
        }
      }
    }
    Map<String, Score> out = new LinkedHashMap<>();
    for (String side : sides) {
      out.put(side, Score.of(scores.get(side), units.get(side)));
    }
    return out;
  }

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
