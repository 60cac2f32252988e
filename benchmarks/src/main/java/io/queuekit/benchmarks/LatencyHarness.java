package io.queuekit.benchmarks;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Latency under a fixed offered load, which JMH's modes do not express (a push's latency and the
 * time until the handler sees the item, at a paced rate, as percentiles). Each side runs in its
 * own JVM ({@link LatencyFork}), the sides' forks interleaved as {@link JmhRunner} does: a warm-up
 * round at the same rate (discarded), then timed rounds, each giving its own p50 and p99. The
 * table reports the median of the rounds with their min–max.
 *
 * <p>Why paced rather than flat out: flat out, every queue is full and push-to-handler latency is
 * just the queue's length divided by throughput; at a fixed rate below both sides' capacity it
 * measures the hand-off itself.
 */
final class LatencyHarness {
  private LatencyHarness() {}

  /**
   * How one latency comparison runs.
   *
   * @param forks JVMs per side (0: in the calling JVM, for the smoke test)
   * @param warmup length of the discarded warm-up round in each fork
   * @param roundsPerFork timed rounds in each fork
   * @param roundTime length of each timed round at {@code rate}
   * @param rate items per second offered, all producers together
   * @param jvmArgs arguments of each forked JVM
   */
  record Settings(int forks, Duration warmup, int roundsPerFork, Duration roundTime, int rate,
      List<String> jvmArgs, Primer primer) {
    Settings {
      jvmArgs = List.copyOf(jvmArgs);
    }

    Settings(int forks, Duration warmup, int roundsPerFork, Duration roundTime, int rate,
        List<String> jvmArgs) {
      this(forks, warmup, roundsPerFork, roundTime, rate, jvmArgs, Primer.NONE);
    }

    /** The same with {@code extra} JVM arguments (a system property the forks need). */
    Settings withJvmArgs(List<String> extra) {
      List<String> all = new ArrayList<>(jvmArgs);
      all.addAll(extra);
      return new Settings(forks, warmup, roundsPerFork, roundTime, rate, all, primer);
    }

    /** The same at another offered rate. */
    Settings atRate(int newRate) {
      return new Settings(forks, warmup, roundsPerFork, roundTime, newRate, jvmArgs, primer);
    }

    /**
     * Items the primer pushes before the warm-up round: none at a rate as high as the primer's,
     * whose warm-up round brings as many invocations by itself.
     */
    int primerItems() {
      return rate < primer.rate() ? primer.items() : 0;
    }

    int primerRate() {
      return primer.rate();
    }

    int warmupItems() {
      return items(warmup);
    }

    int roundItems() {
      return items(roundTime);
    }

    private int items(Duration d) {
      return Math.toIntExact(Math.max(1, rate * d.toMillis() / 1000));
    }

    Duration estimate(int sides) {
      Duration primed = primerItems() == 0 ? Duration.ZERO
          : Duration.ofMillis(1000L * primerItems() / primerRate());
      Duration perFork = primed.plus(warmup).plus(roundTime.multipliedBy(roundsPerFork))
          .plusSeconds(forks > 0 ? 2 : 0);
      return perFork.multipliedBy((long) Math.max(forks, 1) * sides);
    }

    String describe() {
      String perFork = (primerItems() == 0 ? "" : Text.integer(primerItems())
          + " items pushed at " + Text.integer(primerRate()) + " items/s to compile the hot "
          + "paths, ") + "a " + Text.duration(warmup) + " warm-up round, then " + roundsPerFork
          + " timed " + (roundsPerFork == 1 ? "round" : "rounds") + " of "
          + Text.duration(roundTime) + " at " + Text.integer(rate) + " items/s";
      if (forks == 0) {
        return "in-process (no fork); " + perFork;
      }
      return forks + (forks == 1 ? " fork" : " forks") + " per side, interleaved; per fork "
          + perFork + "; JVM " + JmhSettings.shown(jvmArgs);
    }
  }

  /**
   * Items pushed before the warm-up round at a pace of their own, so that the JIT has compiled
   * the hot paths before the rounds that count; a low offered rate alone brings too few
   * invocations in a short warm-up (the pair is then still compiling through its timed rounds,
   * and the compiler threads' CPU shows in the tails). The warm-up round at the offered rate
   * still follows, so the timed rounds start from that rate's steady state, not the primer's
   * backlog. Only the cross-process harness primes, and only at offered rates below the
   * primer's.
   *
   * @param items how many (0: no primer)
   * @param rate their offered pace
   */
  record Primer(int items, int rate) {
    static final Primer NONE = new Primer(0, 0);
  }

  /**
   * One timed round's percentiles, in microseconds.
   *
   * @param pushP50 median push call
   * @param pushP99 99th percentile push call
   * @param toHandlerP50 median time from just before the push to the handler seeing the item
   * @param toHandlerP99 its 99th percentile
   * @param achievedRate items per second actually offered
   */
  record Round(double pushP50, double pushP99, double toHandlerP50, double toHandlerP99,
      double achievedRate) {}

  /** Something that produces each side's timed rounds: this harness, or one across processes. */
  interface Runner {
    Map<String, List<Round>> run(List<String> sides, PipelineConfig config, Settings s)
        throws Exception;
  }

  /** Runs every side; returns each side's timed rounds, all forks pooled. */
  static Map<String, List<Round>> run(List<String> sides, PipelineConfig config, Settings s)
      throws Exception {
    Map<String, List<Round>> out = new LinkedHashMap<>();
    for (String side : sides) {
      out.put(side, new ArrayList<>());
    }
    for (int fork = 0; fork < Math.max(1, s.forks()); fork++) {
      for (String side : sides) {
        out.get(side).addAll(s.forks() == 0 ? inProcess(side, config, s) : forked(side, config, s));
      }
    }
    return out;
  }

  /** One fork's worth of rounds, in this JVM. */
  static List<Round> inProcess(String side, PipelineConfig config, Settings s) throws Exception {
    List<Round> rounds = new ArrayList<>();
    try (Driver driver = new Driver(side, config)) {
      driver.pacedRound(s.warmupItems(), s.rate());
      for (int i = 0; i < s.roundsPerFork(); i++) {
        Driver.LatencySample sample = driver.pacedRound(s.roundItems(), s.rate());
        long[] push = sample.push().clone();
        long[] toHandler = sample.toHandler().clone();
        Arrays.sort(push);
        Arrays.sort(toHandler);
        rounds.add(new Round(micros(percentile(push, 0.50)), micros(percentile(push, 0.99)),
            micros(percentile(toHandler, 0.50)), micros(percentile(toHandler, 0.99)),
            sample.achievedRate()));
      }
    }
    return rounds;
  }

  private static List<Round> forked(String side, PipelineConfig config, Settings s)
      throws IOException, InterruptedException {
    return Forks.run("latency-" + side, LatencyFork.class, s.jvmArgs(),
        LatencyFork.args(side, config, s), s.estimate(1).plusSeconds(120),
        new TypeReference<List<Round>>() {});
  }

  /** Nearest-rank percentile of sorted values. */
  static long percentile(long[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static double micros(long nanos) {
    return nanos / 1_000.0;
  }
}
