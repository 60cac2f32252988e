package io.queuekit.benchmarks;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code level}: the LevelDB backend against what a team would write on the same storage.
 *
 * <ol>
 *   <li><b>Store throughput, SYNC=false:</b> push → claim → ack through the {@code BaseQueue}
 *       ({@link BaseQueuePipeline}) against a raw leveldbjni put / get / delete loop ({@link
 *       LevelDbStore}), the same producers and consumers on both. Aim: at least 0.5 of the raw
 *       loop (our side writes two LevelDB records per item and deletes two where the loop writes
 *       and deletes one).
 *   <li><b>Synced batches:</b> {@code SYNC=true}, producers pushing 100 items per {@code pushAll},
 *       against Square's Tape {@code QueueFile} doing the same with its own sync semantics (two
 *       synced writes per add). Aim: at least 10× Tape.
 *   <li><b>Latency:</b> a {@code WorkerPoolQueue} with {@code TYPE=level} against a hand-written
 *       LevelDB pipeline with the same batcher rule ({@link BatcherPipeline}) at a fixed rate. Aim:
 *       within 2× of the baseline's percentiles.
 * </ol>
 */
final class LevelScenario implements Scenario {
  static final String TYPE = "level";

  /** Two producers and two consumers: on 2 cores more threads only measure the scheduler. */
  private static final PipelineConfig STORE = PipelineConfig.of(2, 2, 20);
  /** Synced: 100 items per push call and per claim, so both sides can amortise their syncs. */
  private static final PipelineConfig SYNCED = PipelineConfig.of(2, 2, 100).withPushBatch(100);
  private static final PipelineConfig E2E = PipelineConfig.of(2, 2, 20);

  /** 2 forks per side × (2 × 1 s + 3 × 1 s + 2 s start): about 28 s per comparison. */
  private static final JmhSettings JMH_FULL = JmhSettings.forked(2, 2, Duration.ofSeconds(1), 3,
      Duration.ofSeconds(1));
  /** Smoke rounds of the synced comparison: 2 producers × 100, so Tape's round is short too. */
  private static final int SMOKE_SYNCED_ROUND = 200;
  private static final JmhSettings JMH_SMOKE = JmhSettings.smoke(Duration.ofMillis(150),
      Duration.ofMillis(300));

  /** 2 forks per side × (1 s + 3 × 1 s + 2 s) at 10k items/s: about 24 s for both sides. */
  private static final LatencyHarness.Settings LATENCY_FULL = new LatencyHarness.Settings(2,
      Duration.ofSeconds(1), 3, Duration.ofSeconds(1), 10_000, JmhSettings.JVM_ARGS);
  private static final LatencyHarness.Settings LATENCY_SMOKE = new LatencyHarness.Settings(0,
      Duration.ofMillis(100), 1, Duration.ofMillis(300), 10_000, List.of());

  private static final String STORE_EXTRA = "per item, one ready entry (header and payload) "
      + "written at push, read, deleted and written again under an in-flight key at claim, that "
      + "one deleted at ack (the raw loop writes one record, reads it and deletes it); the state "
      + "record once per 65,536 ids, not per round; the delivery id and counts; one group-commit "
      + "round per push call, with the combining lock's hand-offs between threads";

  private final EndToEndComparison store = new EndToEndComparison(
      "Store throughput: push → claim → ack, SYNC=false", "",
      new EndToEndComparison.Side(Pipelines.BASEQUEUE_LEVEL,
          "queuekit LevelDB `BaseQueue`, SYNC=false",
          "`push` → one write round → `claim(20)` → decode → handler → `ack`",
          EndToEndComparison.loopThreads(STORE), "`BaseQueue.push`, one item"),
      List.of(new EndToEndComparison.Baseline(new EndToEndComparison.Side(
          Pipelines.LOOP_LEVELDBJNI, "raw leveldbjni loop, sync=false",
          "`put(key(tail++))` → reserve head range → `get` + `delete` each → decode → handler",
          EndToEndComparison.loopThreads(STORE), "`DB.put`, one item"),
          0.5, "the store work is no longer the main cost: in one thread without the codec, "
              + "our push → claim → ack costs about 1.8× the raw put → get → delete in CPU per "
              + "item (it writes the payload twice, under the ready and the in-flight key), but "
              + "here every push call is its own group-commit round, and with two producers and "
              + "two consumers most calls find the combining lock taken and park until the "
              + "holder wakes them: the thread hand-offs (park / unpark) cost more CPU than the "
              + "records. What would change it, in queue-level: let a caller that finds the lock "
              + "taken spin briefly before parking (a round takes microseconds here), and keep "
              + "only the ready position under the in-flight key so the payload is written once "
              + "(deleted at ack)")),
      STORE, 20_000, "up to 20 per claim: what is ready, no debounce", Double.NaN, STORE_EXTRA,
      "");

  private final EndToEndComparison synced = new EndToEndComparison(
      "Synced batches: SYNC=true, `pushAll` of 100", "",
      new EndToEndComparison.Side(Pipelines.BASEQUEUE_LEVEL_SYNC,
          "queuekit LevelDB `BaseQueue`, SYNC=true",
          "`pushAll(100)` → synced write rounds → `claim(100)` → decode → handler → `ack` "
              + "(each round synced)",
          EndToEndComparison.loopThreads(SYNCED), "`BaseQueue.pushAll`, 100 items"),
      List.of(new EndToEndComparison.Baseline(new EndToEndComparison.Side(Pipelines.LOOP_TAPE,
          "Tape `QueueFile` (rwd: every write synced)",
          "100 × `add` (each: element + header, synced) → iterate 100 + `remove(100)` → decode → "
              + "handler",
          EndToEndComparison.loopThreads(SYNCED), "100 × `QueueFile.add` (no batch add)"),
          10.0, "both sides are bound by synced writes: ours syncs once per write round (a "
              + "`pushAll` chunk, a claim, an ack, shared with concurrent calls), Tape twice per "
              + "item added and once per `remove(n)`. A ratio under 10 means our rounds carry "
              + "fewer items than they could; in queue-level, letting one round take every "
              + "waiting `pushAll` chunk and the acks queued behind it (fewer, larger syncs) "
              + "would raise it")),
      SYNCED, 2_000, "up to 100 per claim: what is ready, no debounce", Double.NaN,
      "per item the same records as with SYNC=false; per write round one fsync of LevelDB's log",
      "");

  private final EndToEndComparison latency = new EndToEndComparison("", "Latency",
      new EndToEndComparison.Side(Pipelines.queuekit(TYPE),
          "queuekit `WorkerPoolQueue`, TYPE=level",
          "`push` → LevelDB → claim thread batches → workers; ack per batch",
          EndToEndComparison.batcherThreads(E2E, "claim thread"), "`push`, one item"),
      List.of(new EndToEndComparison.Baseline(new EndToEndComparison.Side(
          Pipelines.BATCHER_LEVELDBJNI, "raw leveldbjni + batcher + `ThreadPoolExecutor`",
          "`put` → LevelDB → batcher thread (`get` + `delete`) → `ThreadPoolExecutor`",
          EndToEndComparison.batcherThreads(E2E, "batcher thread"), "`DB.put`, one item"),
          Double.NaN, "")),
      E2E, 20_000, null, 2.0,
      "the store work listed above, plus the claim loop's prefetch bound and in-flight map",
      "a push is applied in a group-commit round: one caller holds the DB's combining lock and "
          + "writes every queued operation in one batch, and a push that arrives while a round "
          + "is being written parks until the holder wakes it or hands it the lock, so its push "
          + "call pays a thread wake-up and, at worst, the round in flight plus its own; the raw "
          + "put is one write under a plain lock. That is the price of group commit, which is "
          + "what puts the synced rounds above far ahead of Tape; queue-level could spin briefly "
          + "before parking (a round at this rate takes tens of microseconds), trading CPU for "
          + "the tail");

  @Override
  public String key() {
    return TYPE;
  }

  @Override
  public String title() {
    return "level: LevelDB `BaseQueue` vs raw leveldbjni and Tape; `WorkerPoolQueue` latency";
  }

  @Override
  public Optional<String> unavailable() {
    return Pipelines.unavailable(Pipelines.BASEQUEUE_LEVEL);
  }

  @Override
  public Duration estimate(Profile profile) {
    return profile == Profile.FULL
        ? JMH_FULL.estimate(4).plus(LATENCY_FULL.estimate(2))
        : JMH_SMOKE.estimate(4).plus(LATENCY_SMOKE.estimate(2));
  }

  @Override
  public Result run(Profile profile, boolean quiet) throws Exception {
    boolean full = profile == Profile.FULL;
    JmhSettings jmh = full ? JMH_FULL : JMH_SMOKE;
    Map<String, Double> numbers = new LinkedHashMap<>();
    String md = "Three comparisons on the same machine in one run. The LevelDB directory of each "
        + "side is a fresh temporary directory on the same file system; our side uses the native "
        + "leveldbjni engine (`CONN_STR=leveldb://queues/common?engine=jni`), as the raw loop "
        + "does.\n\n"
        + store.run(jmh, null, quiet, numbers) + "\n"
        + (full ? synced : synced.withRound(SMOKE_SYNCED_ROUND)).run(jmh, null, quiet, numbers)
        + "\n"
        + latency.run(null, full ? LATENCY_FULL : LATENCY_SMOKE, quiet, numbers);
    return new Result(md, numbers);
  }
}
