package io.queuekit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every scenario for about a second, in-process ({@link Scenario.Profile#SMOKE}), and checks
 * it yields a positive number for every measured quantity of every side. Writes nothing: it calls
 * the scenarios directly, never the generator, and checks BENCHMARKS.md is untouched.
 */
class ScenarioSmokeTest {

  @TestFactory
  Stream<DynamicTest> everyScenarioYieldsNumbersForEverySide() {
    return Scenarios.every().stream().map(s -> DynamicTest.dynamicTest(s.key(), () -> {
      s.unavailable().ifPresent(reason -> Assumptions.abort("skipped: " + reason));
      Path repoFile = Path.of("..", "BENCHMARKS.md");
      String before = Files.exists(repoFile) ? Files.readString(repoFile) : null;

      Scenario.Result r = s.run(Scenario.Profile.SMOKE, true);

      assertThat(r.numbers()).isNotEmpty();
      assertThat(r.numbers()).allSatisfy((name, value) ->
          assertThat(value).as(name).isPositive().isFinite());
      // Both sides of each comparison measured: every metric appears once per side.
      Map<String, Long> sidesPerMetric = r.numbers().keySet().stream().collect(
          java.util.stream.Collectors.groupingBy(n -> n.substring(n.indexOf('.') + 1),
              java.util.stream.Collectors.counting()));
      assertThat(sidesPerMetric.values()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(2));
      // Every scenario states its aims and whether they are met, in tables under subheadings.
      assertThat(r.markdown()).contains("### ", "| aim |", "| met |");
      assertThat(Files.exists(repoFile) ? Files.readString(repoFile) : null).isEqualTo(before);
    }));
  }

  @Test
  void channelIsOnTheClassPath() {
    // benchmarks depends on queue-channel: a missing service file would silently skip the scenario.
    assertThat(Pipelines.unavailable(Pipelines.queuekit(ChannelScenario.TYPE))).isEmpty();
  }

  @Test
  void theFullRunFitsTheBudget() {
    java.time.Duration total = java.time.Duration.ZERO;
    for (Scenario s : Scenarios.all()) {
      total = total.plus(s.estimate(Scenario.Profile.FULL));
    }
    // Leave a tenth of the budget for JVM starts and drains the estimate does not see.
    assertThat(total).isLessThanOrEqualTo(Generator.BUDGET.multipliedBy(9).dividedBy(10));
  }

  @Test
  void scenarioKeysAreDistinct() {
    List<String> keys = Scenarios.every().stream().map(Scenario::key).toList();
    assertThat(keys).doesNotHaveDuplicates().doesNotContain(BenchmarksFile.RUN_KEY);
  }
}
