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
}
