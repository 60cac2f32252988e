package io.queuekit.examples;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for the search engine the issue indexer writes to: down until {@code upAt}, so the
 * indexer's handler returns its batches unhandled and they come back with backoff. Thread-safe.
 */
final class SearchBackend {
  private final Clock clock;
  private final Instant upAt;
  private final AtomicLong indexed = new AtomicLong();

  SearchBackend(Clock clock, Duration downFor) {
    this.clock = clock;
    this.upAt = clock.instant().plus(downFor);
  }

  boolean isUp() {
    return !clock.instant().isBefore(upAt);
  }

  void index(IndexerData data) {
    indexed.incrementAndGet();
  }

  long indexed() {
    return indexed.get();
  }
}
