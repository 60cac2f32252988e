package io.queuekit.benchmarks;

import java.time.Duration;
import java.util.List;

/**
 * What both sides of a comparison are given, so the table can state it once: producer threads,
 * worker (or consumer) threads, batch size and debounce, how many items may wait before a push
 * blocks, and how many items one push call carries.
 *
 * @param producers threads pushing at once
 * @param workers threads running the handler ({@code MAX_WORKERS}), or consumer threads of a
 *     store loop (each claims, decodes, handles and acknowledges its own batches)
 * @param batchLength items handed to one handler call ({@code BATCH_LENGTH}); a consumer claims
 *     at most this many at once
 * @param batchDebounce a partial batch goes out this long after its first item ({@code
 *     BATCH_DEBOUNCE}); store loops have no batcher and take what is ready
 * @param length waiting items before a push blocks ({@code LENGTH}; the baseline's queue capacity)
 * @param pushBatch items per push call: 1 is {@code push}, more is {@code pushAll} (or the
 *     baseline's batched write)
 */
record PipelineConfig(int producers, int workers, int batchLength, Duration batchDebounce,
    int length, int pushBatch) {

  PipelineConfig {
    if (producers < 1 || workers < 1 || batchLength < 1 || length < 1 || pushBatch < 1) {
      throw new IllegalArgumentException("producers, workers, batchLength, length and pushBatch "
          + "must be positive: " + producers + ", " + workers + ", " + batchLength + ", " + length
          + ", " + pushBatch);
    }
  }

  /** queuekit's default {@code BATCH_DEBOUNCE}. */
  static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(100);
  /** queuekit's default {@code LENGTH}. */
  static final int DEFAULT_LENGTH = 100_000;

  /** Explicit threads and batch length, queuekit's default debounce and length, one item a push. */
  static PipelineConfig of(int producers, int workers, int batchLength) {
    return new PipelineConfig(producers, workers, batchLength, DEFAULT_DEBOUNCE, DEFAULT_LENGTH, 1);
  }

  /** The same with {@code n} items per push call. */
  PipelineConfig withPushBatch(int n) {
    return new PipelineConfig(producers, workers, batchLength, batchDebounce, length, n);
  }

  /**
   * This config as {@link #ARGS} command-line arguments, for a benchmark's child JVM, which reads
   * them back with {@link #fromArgs}.
   */
  List<String> toArgs() {
    return List.of(Integer.toString(producers), Integer.toString(workers),
        Integer.toString(batchLength), Long.toString(batchDebounce.toMillis()),
        Integer.toString(length), Integer.toString(pushBatch));
  }

  /** How many arguments {@link #toArgs} makes. */
  static final int ARGS = 6;

  /** The config {@link #toArgs} wrote into {@code a}, from index {@code from} on. */
  static PipelineConfig fromArgs(String[] a, int from) {
    return new PipelineConfig(Integer.parseInt(a[from]), Integer.parseInt(a[from + 1]),
        Integer.parseInt(a[from + 2]), Duration.ofMillis(Long.parseLong(a[from + 3])),
        Integer.parseInt(a[from + 4]), Integer.parseInt(a[from + 5]));
  }

  /** The same with room for {@code n} waiting items. */
  PipelineConfig withLength(int n) {
    return new PipelineConfig(producers, workers, batchLength, batchDebounce, n, pushBatch);
  }
}
