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

  /** After {@link #flap}: down for {@code down} at the start of every {@code period}. */
  private volatile Duration period;
  private volatile Duration down;
  private volatile Instant flapFrom;

  boolean isUp() {
    Instant now = clock.instant();
    if (now.isBefore(upAt)) {
      return false;
    }
    Duration p = period;
    if (p == null) {
      return true;
    }
    long into = Duration.between(flapFrom, now).toMillis() % p.toMillis();
    return into >= down.toMillis();
  }

  /** From now on, goes down for {@code down} at the start of every {@code period} (--serve). */
  void flap(Duration period, Duration down) {
    this.flapFrom = clock.instant();
    this.down = down;
    this.period = period;
  }

  void index(IndexerData data) {
    indexed.incrementAndGet();
  }

  long indexed() {
    return indexed.get();
  }
}
