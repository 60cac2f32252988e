package io.queuekit.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code channel}: a {@code WorkerPoolQueue} with {@code TYPE=channel} (in memory) against the
 * same work done by hand with an {@code ArrayBlockingQueue} and a {@code ThreadPoolExecutor}
 * ({@link BlockingPoolPipeline}). Aim: at least 0.8 of the baseline's throughput; latencies
 * within 2× of the baseline's.
 *
 * <p>Two producers and two workers: on the 2-core machines this project runs on, more threads
 * only measure the scheduler.
 */
final class ChannelScenario implements Scenario {
  static final String TYPE = "channel";

  private static final PipelineConfig CONFIG = PipelineConfig.of(2, 2, 20);

  /** 2 forks per side × (3 × 2 s + 5 × 2 s): about 70 s for both sides. */
  private static final JmhSettings JMH_FULL = JmhSettings.forked(2, 3, Duration.ofSeconds(2), 5,
      Duration.ofSeconds(2));
  private static final JmhSettings JMH_SMOKE = JmhSettings.smoke(Duration.ofMillis(200),
      Duration.ofMillis(400));

  /** 2 forks per side × (2 s + 3 × 2 s) at 50k items/s: about 40 s for both sides. */
  private static final LatencyHarness.Settings LATENCY_FULL = new LatencyHarness.Settings(2,
      Duration.ofSeconds(2), 3, Duration.ofSeconds(2), 50_000, JmhSettings.JVM_ARGS);
  private static final LatencyHarness.Settings LATENCY_SMOKE = new LatencyHarness.Settings(0,
      Duration.ofMillis(200), 1, Duration.ofMillis(400), 50_000, List.of());

  private final EndToEndComparison comparison = new EndToEndComparison(
      new EndToEndComparison.Side(Pipelines.queuekit(TYPE),
          "queuekit `WorkerPoolQueue`, TYPE=channel",
          "`push` → in-memory store → claim thread batches → workers; ack per batch",
          "claim thread"),
      List.of(new EndToEndComparison.Side(Pipelines.ABQ_TPE,
          "`ArrayBlockingQueue` + `ThreadPoolExecutor`",
          "`put` → `ArrayBlockingQueue` → batcher thread → `ThreadPoolExecutor`",
          "batcher thread")),
      CONFIG, 0.8, 2.0,
      "a delivery id and an in-flight entry per item, and an ack per batch (at-least-once: the "
          + "baseline forgets an item once taken), stats counters, and the prefetch bound's "
          + "bookkeeping");

  @Override
  public String key() {
    return TYPE;
  }

  @Override
  public String title() {
    return "channel: in-memory `WorkerPoolQueue` vs `ArrayBlockingQueue` + `ThreadPoolExecutor`";
  }

  @Override
  public Optional<String> unavailable() {
    return Pipelines.unavailable(Pipelines.queuekit(TYPE));
  }

  @Override
  public Duration estimate(Profile profile) {
    return profile == Profile.FULL
        ? JMH_FULL.estimate(2).plus(LATENCY_FULL.estimate(2))
        : JMH_SMOKE.estimate(2).plus(LATENCY_SMOKE.estimate(2));
  }

  @Override
  public Result run(Profile profile, boolean quiet) throws Exception {
    return profile == Profile.FULL
        ? comparison.run(JMH_FULL, LATENCY_FULL, quiet)
        : comparison.run(JMH_SMOKE, LATENCY_SMOKE, quiet);
  }
}
