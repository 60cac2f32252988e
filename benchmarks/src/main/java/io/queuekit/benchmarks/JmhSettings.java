package io.queuekit.benchmarks;

import java.time.Duration;
import java.util.List;

/**
 * JMH settings of one scenario, stated explicitly so the whole generator run fits its time budget
 * and BENCHMARKS.md can print them. {@code forks} = 0 runs in the calling JVM (the smoke test);
 * otherwise each fork is a fresh JVM, and {@link JmhRunner} interleaves the sides' forks.
 *
 * @param forks JVMs per side (0: in-process)
 * @param warmupIterations discarded iterations at the start of each fork
 * @param warmupTime length of each warm-up iteration
 * @param measurementIterations measured iterations per fork
 * @param measurementTime length of each measured iteration
 * @param jvmArgs arguments of each forked JVM
 * @param sideBySide measured by {@link SideBySide} instead of JMH: every side open at once, the
 *     sides taking turns window by window (an iteration is a window); forks 0 or 1
 */
record JmhSettings(int forks, int warmupIterations, Duration warmupTime, int measurementIterations,
    Duration measurementTime, List<String> jvmArgs, boolean sideBySide) {

  /** Fixed heap, so a fork's heap sizing does not drift between sides. */
  static final List<String> JVM_ARGS = List.of("-Xms1g", "-Xmx1g");

  JmhSettings {
    jvmArgs = List.copyOf(jvmArgs);
    if (sideBySide && forks > 1) {
      throw new IllegalArgumentException("side by side runs one JVM per side, not " + forks);
    }
  }

  /** Forked settings with {@link #JVM_ARGS}. */
  static JmhSettings forked(int forks, int warmupIterations, Duration warmupTime,
      int measurementIterations, Duration measurementTime) {
    return new JmhSettings(forks, warmupIterations, warmupTime, measurementIterations,
        measurementTime, JVM_ARGS, false);
  }

  /** In-process, minimal: for the smoke test. */
  static JmhSettings smoke(Duration warmupTime, Duration measurementTime) {
    return new JmhSettings(0, 1, warmupTime, 1, measurementTime, List.of(), false);
  }

  /** The same settings, measured {@linkplain SideBySide side by side}. */
  JmhSettings measuredSideBySide() {
    return new JmhSettings(forks, warmupIterations, warmupTime, measurementIterations,
        measurementTime, jvmArgs, true);
  }

  /** JVM arguments as the tables state them: without the run's own Redis address. */
  static String shown(List<String> jvmArgs) {
    return String.join(" ", jvmArgs.stream()
        .filter(a -> !a.startsWith("-D" + Pipelines.REDIS_PROPERTY + "=")).toList());
  }

  /** The same with {@code extra} JVM arguments (a system property the forks need). */
  JmhSettings withJvmArgs(List<String> extra) {
    List<String> all = new java.util.ArrayList<>(jvmArgs);
    all.addAll(extra);
    return new JmhSettings(forks, warmupIterations, warmupTime, measurementIterations,
        measurementTime, all, sideBySide);
  }

  /** Estimated wall time for {@code sides} sides, for the run's time budget. */
  Duration estimate(int sides) {
    Duration perFork = warmupTime.multipliedBy(warmupIterations)
        .plus(measurementTime.multipliedBy(measurementIterations))
        .plusSeconds(forks > 0 ? 2 : 0); // JVM start, set-up and tear-down
    return perFork.multipliedBy((long) Math.max(forks, 1) * sides);
  }

  /** How BENCHMARKS.md states them. */
  String describe() {
    if (sideBySide) {
      String turns = warmupIterations + " warm-up windows × " + Text.duration(warmupTime)
          + ", then " + measurementIterations + " measured × " + Text.duration(measurementTime)
          + ", the sides taking turns window by window (each turn starting one side later, so "
          + "no side runs two windows in a row), each window after one untimed round";
      return forks == 0 ? "In-process, every side open at once; per side " + turns
          : "One JVM per side, all open at once; per side " + turns + "; JVM "
              + JmhSettings.shown(jvmArgs);
    }
    String perFork = warmupIterations + " warm-up × " + Text.duration(warmupTime) + ", "
        + measurementIterations + " measured × " + Text.duration(measurementTime);
    if (forks == 0) {
      return "in-process (no fork); " + perFork;
    }
    return forks + (forks == 1 ? " fork" : " forks") + " per side, the sides' forks interleaved; "
        + "per fork " + perFork + "; JVM " + JmhSettings.shown(jvmArgs);
  }
}
