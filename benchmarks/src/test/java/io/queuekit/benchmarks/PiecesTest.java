package io.queuekit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parsing and arithmetic the tables rest on. */
class PiecesTest {
  /**
   * A throughput verdict says why our side is bounded when the aim is missed, and also when it is
   * met only within the run's noise (a rerun could miss it); not when it is met clearly.
   */
  @Test
  void aThroughputReadingExplainsTheBoundUnlessTheAimIsMetClearly() {
    EndToEndComparison.Side side = new EndToEndComparison.Side("p", "P", "how", "threads", "push");
    EndToEndComparison.Baseline bl = new EndToEndComparison.Baseline(side, 1.0, "WHY");
    EndToEndComparison c = new EndToEndComparison("T", "L", side, List.of(bl),
        PipelineConfig.of(1, 1, 1), 1, "", Double.NaN, "EXTRA", "");
    JmhRunner.Score wide = JmhRunner.Score.of(List.of(95.0, 100.0, 105.0), "items/s");
    JmhRunner.Score tight = JmhRunner.Score.of(List.of(99.0, 100.0, 101.0), "items/s");
    JmhRunner.Score high = JmhRunner.Score.of(List.of(149.0, 150.0, 151.0), "items/s");

    assertThat(c.throughputReading(bl, wide, wide, 1.0, true, 1.0))
        .contains("within the noise").contains("**Met within the noise; what bounds it:** WHY");
    assertThat(c.throughputReading(bl, high, tight, 1.5, true, 1.0))
        .doesNotContain("within the noise").doesNotContain("WHY");
    assertThat(c.throughputReading(bl, tight, high, 0.67, false, 1.0))
        .contains("**Why not met, and what would change it:** WHY");
  }


  @Test
  void commandStatsGiveCallsByCommand() {
    String info = "# Commandstats\r\n"
        + "cmdstat_evalsha:calls=117,usec=900,usec_per_call=7.69,rejected_calls=0,failed_calls=0\r\n"
        + "cmdstat_blpop:calls=47,usec=100,usec_per_call=2.13,rejected_calls=0,failed_calls=0\r\n";
    assertThat(IdleCost.commandStats(info)).containsExactly(Map.entry("evalsha", 117L),
        Map.entry("blpop", 47L));
  }

  @Test
  void idleRatesAreByWaiterAndSecond() {
    IdleCost.Result r = new IdleCost.Result(10, 10.0, Map.of("evalsha", 100L, "hexists", 100L),
        Map.of("evalsha", 100L), Map.of("hexists", 100L));
    assertThat(r.perWaiterPerSecond()).isEqualTo(2.0);
    assertThat(r.sentPerWaiterPerSecond()).isEqualTo(1.0);
  }

  @Test
  void aRatioThatRoundsToTheAimShowsMoreDecimals() {
    assertThat(Text.ratioAgainst(0.4997, 0.5)).isEqualTo("0.4997");
    assertThat(Text.ratioAgainst(0.4949, 0.5)).isEqualTo("0.49");
    assertThat(Text.ratioAgainst(0.61, 0.5)).isEqualTo("0.61");
    assertThat(Text.ratioAgainst(0.5, 0.5)).isEqualTo("0.50");
  }

  @Test
  void tablesStateJvmArgumentsWithoutTheRunsRedisAddress() {
    assertThat(JmhSettings.shown(List.of("-Xmx1g", "-D" + Pipelines.REDIS_PROPERTY
        + "=redis://127.0.0.1:40000/0"))).isEqualTo("-Xmx1g");
  }

  @Test
  void sideBySideRunsEverySideInItsOwnJvmTakingTurns() throws Exception {
    JmhSettings s = JmhSettings.forked(1, 1, Duration.ofMillis(100), 2, Duration.ofMillis(200))
        .measuredSideBySide();
    List<String> sides = List.of(Pipelines.queuekit("channel"), Pipelines.ABQ_TPE);
    Map<String, JmhRunner.SideResult> r = SideBySide.run(sides,
        PipelineConfig.of(2, 2, 20), 2_000, s, true);
    assertThat(r).containsOnlyKeys(sides);
    assertThat(r.values()).allSatisfy(side -> {
      assertThat(side.throughput().n()).isEqualTo(2);
      assertThat(side.throughput().min()).isPositive();
      // each side's CPU is its own JVM's: a fork that ran nothing would report next to none
      assertThat(side.cpuNanosPerItem()).isPositive().isFinite();
      assertThat(side.allocBytesPerItem()).isPositive().isFinite();
    });
    assertThat(s.describe()).contains("One JVM per side", "taking turns");
  }

  @Test
  void aSideThatCannotOpenFailsTheRunNamingItAndStopsTheOthers() {
    // The close of every side replaced the failure that ended the run: the error named the
    // failed fork's exit, not why it could not open.
    JmhSettings s = JmhSettings.forked(1, 1, Duration.ofMillis(100), 1, Duration.ofMillis(100))
        .measuredSideBySide();
    assertThatThrownBy(() -> SideBySide.run(List.of(Pipelines.ABQ_TPE, "no-such"),
        PipelineConfig.of(2, 2, 20), 2_000, s, true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("fork side-by-side no-such")
        .hasMessageContaining(SideBySideFork.READY)
        .satisfies(e -> assertThat(e.getSuppressed()).isNotEmpty());
  }

  @Test
  void sideBySideNeverRunsASideTwiceInARow() {
    List<String> sides = List.of("a", "b", "c", "d");
    String last = null;
    for (int n = 0; n < 24; n++) {
      List<String> turn = SideBySide.turn(sides, n);
      assertThat(turn).containsExactlyInAnyOrderElementsOf(sides);
      assertThat(turn.get(0)).isNotEqualTo(last);
      last = turn.get(turn.size() - 1);
    }
    assertThat(SideBySide.turn(List.of("a", "b"), 1)).containsExactly("a", "b");
  }

  @Test
  void aThreadThatEndsWithinAWindowTakesNothingOffItsAllocation() throws Exception {
    // Summed over the threads alive at each end, a thread that ended within the window took
    // everything it had allocated before off the window's count.
    java.util.concurrent.CountDownLatch allocated = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch end = new java.util.concurrent.CountDownLatch(1);
    Thread t = new Thread(() -> {
      long kept = 0;
      for (int i = 0; i < 64; i++) {
        kept += new byte[1 << 20].length; // 64 MB before the window
      }
      allocated.countDown();
      try {
        end.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      assertThat(kept).isPositive();
    });
    t.start();
    allocated.await();
    Map<Long, Long> before = SideBySide.allocatedByThread();
    end.countDown();
    t.join();
    long since = SideBySide.allocatedSince(before);
    assertThat(since).isNotNegative().isLessThan(16L << 20);
  }

  @Test
  void depthChurnKeepsTheDepthAndReportsARate() throws Exception {
    DepthBench.Result r = DepthBench.measure("abq", List.of(100, 1_000), Duration.ofMillis(20),
        2);
    assertThat(r.depths()).containsExactly(100, 1_000);
    assertThat(r.rates().get("1000")).hasSize(2).allSatisfy(v -> assertThat(v).isPositive());
    assertThat(r.fillPerSecond()).isPositive();
  }
}
