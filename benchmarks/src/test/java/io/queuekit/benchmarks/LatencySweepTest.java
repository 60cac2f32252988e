package io.queuekit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sweep's section from given points: charts, table, and the knee named with its cause. */
class LatencySweepTest {
  private static final List<String> SIDES = List.of("ours", "theirs");
  private static final Map<String, String> LABELS = Map.of("ours", "Ours", "theirs", "Theirs");

  @Test
  void theKneeIsTheFirstRateOurProducersFellShortOfAndItsCauseIsNamed() {
    List<LatencySweep.Point> points = List.of(
        new LatencySweep.Point("ours", 1_000, 1_000, 400, 900, 0.10, 0.30),
        new LatencySweep.Point("theirs", 1_000, 1_000, 300, 800, 0.05, 0.25),
        new LatencySweep.Point("ours", 10_000, 9_990, 500, 2_000, 0.60, 1.00),
        new LatencySweep.Point("theirs", 10_000, 10_000, 350, 1_500, 0.30, 0.90),
        new LatencySweep.Point("ours", 50_000, 21_000, 9_000, 40_000, 0.70, 1.25),
        new LatencySweep.Point("theirs", 50_000, 30_000, 5_000, 20_000, 0.50, 1.40));

    String md = LatencySweep.markdown(points, SIDES, LABELS, "as described.");

    assertThat(md).contains("```mermaid").contains("xychart-beta")
        .contains("x-axis \"offered items/s\" [\"1,000\", \"10,000\", \"50,000\"]")
        .contains("line [0.400, 0.500, 9.000]")
        .contains("line [0.900, 2.000, 40.000]");
    assertThat(md).contains("| Ours | 10,000 | 9,990 | 500 µs | 2.00 ms | 0.60 | 1.00 | met |")
        .contains("| Ours | 50,000 | 21,000 | 9.00 ms | 40.0 ms | 0.70 | 1.25 | — |");
    assertThat(LatencySweep.reading(points, SIDES, LABELS))
        .contains("the throughput knee of Ours is at 50,000 items/s offered, where its producers "
            + "reached 21,000 items/s. There the server used 0.70 cores and the machine 1.95 "
            + "cores of 2")
        .contains("the server was not the bound")
        .contains("At that rate Theirs achieved 30,000 items/s")
        .contains("Below the knee, p99 was under the aim (5.00 ms) at 2 of 2 rates.");
  }

  @Test
  void withoutAKneeTheReadingSaysEveryRateWasKeptUpWith() {
    List<LatencySweep.Point> points = List.of(
        new LatencySweep.Point("ours", 1_000, 1_000, 400, 900, 0.10, 0.30),
        new LatencySweep.Point("theirs", 1_000, 1_000, 300, 800, 0.05, 0.25));

    assertThat(LatencySweep.reading(points, SIDES, LABELS)).startsWith(
        "**Reading:** Ours kept up at every rate up to 1,000 items/s")
        .endsWith("Its p99 was under the aim (5.00 ms) at 1 of 1 rates.");
  }

  @Test
  void aP99OverTheAimBelowTheKneeIsNamedWithItsRate() {
    List<LatencySweep.Point> points = List.of(
        new LatencySweep.Point("ours", 5_000, 5_000, 900, 7_000, 0.30, 0.40),
        new LatencySweep.Point("theirs", 5_000, 5_000, 300, 800, 0.05, 0.25),
        new LatencySweep.Point("ours", 9_000, 6_000, 900, 9_000, 0.90, 0.40),
        new LatencySweep.Point("theirs", 9_000, 9_000, 300, 800, 0.05, 0.25));

    assertThat(LatencySweep.reading(points, SIDES, LABELS))
        .contains("the throughput knee of Ours is at 9,000 items/s offered")
        .contains("the server's one thread was the bound.")
        .contains("p99 was under the aim (5.00 ms) at 0 of 1 rates; not at 5,000 items/s.");
  }
}
