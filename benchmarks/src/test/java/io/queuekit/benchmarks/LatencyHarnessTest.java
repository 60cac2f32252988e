package io.queuekit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LatencyHarnessTest {

  @Test
  void nearestRankPercentiles() {
    long[] sorted = new long[100];
    for (int i = 0; i < 100; i++) {
      sorted[i] = i + 1;
    }
    assertThat(LatencyHarness.percentile(sorted, 0.50)).isEqualTo(50);
    assertThat(LatencyHarness.percentile(sorted, 0.99)).isEqualTo(99);
    assertThat(LatencyHarness.percentile(new long[] {7}, 0.99)).isEqualTo(7);
  }

  @Test
  void medianOfRounds() {
    List<LatencyHarness.Round> rounds = List.of(
        new LatencyHarness.Round(1, 0, 0, 0, 0),
        new LatencyHarness.Round(5, 0, 0, 0, 0),
        new LatencyHarness.Round(3, 0, 0, 0, 0),
        new LatencyHarness.Round(4, 0, 0, 0, 0));
    assertThat(EndToEndComparison.median(rounds, LatencyHarness.Round::pushP50)).isEqualTo(3.5);
  }

  @Test
  void aForkReportsItsRoundsToTheParent() throws Exception {
    // The generator's path: a child JVM on this class path, its rounds read back from stdout.
    Map<String, List<LatencyHarness.Round>> rounds = LatencyHarness.run(
        List.of(Pipelines.ABQ_TPE), PipelineConfig.of(2, 2, 20), new LatencyHarness.Settings(1,
            Duration.ofMillis(50), 2, Duration.ofMillis(100), 20_000, List.of("-Xmx256m")));
    assertThat(rounds.get(Pipelines.ABQ_TPE)).hasSize(2)
        .allSatisfy(r -> assertThat(r.toHandlerP50()).isPositive());
  }

  @Test
  void aFailingForkFailsTheRunWithItsExitCode() {
    assertThatThrownBy(() -> LatencyHarness.run(List.of("no-such-pipeline"),
        PipelineConfig.of(2, 2, 20), new LatencyHarness.Settings(1, Duration.ofMillis(50), 1,
            Duration.ofMillis(100), 20_000, List.of("-Xmx256m"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("fork latency-no-such-pipeline failed (exit 1")
        // the child's standard error, which says why
        .hasMessageContaining("no pipeline named \"no-such-pipeline\"");
  }

  @Test
  void theBaselineRunsAPacedRoundInProcess() throws Exception {
    // The baseline needs no backend jar, so this holds even where a scenario is skipped.
    List<LatencyHarness.Round> rounds = LatencyHarness.inProcess(Pipelines.ABQ_TPE,
        PipelineConfig.of(2, 2, 20), new LatencyHarness.Settings(0,
            Duration.ofMillis(50), 1, Duration.ofMillis(100), 20_000,
            List.of()));
    assertThat(rounds).singleElement().satisfies(r -> {
      assertThat(r.pushP50()).isPositive();
      assertThat(r.toHandlerP99()).isGreaterThanOrEqualTo(r.toHandlerP50()).isPositive();
      assertThat(r.achievedRate()).isPositive();
    });
  }
}
