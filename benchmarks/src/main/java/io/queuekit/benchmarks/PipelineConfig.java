package io.queuekit.benchmarks;

import java.time.Duration;

/**
 * What both sides of a comparison are given, so the table can state it once: producer threads,
 * worker threads, batch size and debounce, and how many items may wait before a push blocks.
 *
 * @param producers threads pushing at once
 * @param workers threads running the handler ({@code MAX_WORKERS})
 * @param batchLength items handed to one handler call ({@code BATCH_LENGTH})
 * @param batchDebounce a partial batch goes out this long after its first item ({@code BATCH_DEBOUNCE})
 * @param length waiting items before a push blocks ({@code LENGTH}; the baseline's queue capacity)
 */
record PipelineConfig(int producers, int workers, int batchLength, Duration batchDebounce,
    int length) {

  PipelineConfig {
    if (producers < 1 || workers < 1 || batchLength < 1 || length < 1) {
      throw new IllegalArgumentException("producers, workers, batchLength and length must be "
          + "positive: " + producers + ", " + workers + ", " + batchLength + ", " + length);
    }
  }

  /** queuekit's default {@code BATCH_DEBOUNCE}. */
  static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(100);
  /** queuekit's default {@code LENGTH}. */
  static final int DEFAULT_LENGTH = 100_000;

  /** Explicit threads and batch length; queuekit's defaults for debounce and length. */
  static PipelineConfig of(int producers, int workers, int batchLength) {
    return new PipelineConfig(producers, workers, batchLength, DEFAULT_DEBOUNCE, DEFAULT_LENGTH);
  }
}
