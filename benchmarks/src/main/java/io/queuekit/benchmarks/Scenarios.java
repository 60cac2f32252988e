package io.queuekit.benchmarks;

import java.util.List;

/** Every scenario, in the order of BENCHMARKS.md. Later backends append theirs. */
final class Scenarios {
  private Scenarios() {}

  static List<Scenario> all() {
    return List.of(new ChannelScenario(), new LevelScenario(), new RedisScenario(),
        new DepthScenario(), new PostgresScenario(),
        new DurabilityScenario());
  }

  /**
   * Scenarios a full run leaves out (their windows do not fit its budget); {@code --only KEY}
   * runs them, and their sections stay in BENCHMARKS.md after the scenarios above.
   */
  static List<Scenario> onDemand() {
    return List.of(new RedisWaitersScenario(), new RedisCapScenario());
  }

  /** {@link #all()} then {@link #onDemand()}: every section, in file order. */
  static List<Scenario> every() {
    List<Scenario> out = new java.util.ArrayList<>(all());
    out.addAll(onDemand());
    return out;
  }
}
