package io.queuekit.spi;

import java.time.Instant;
import java.util.Optional;

/**
 * Counts the store holds for one queue, over every process using it.
 *
 * @param ready claimable now
 * @param delayed claimable at their due time
 * @param inFlight claimed and not yet settled, by any consumer
 * @param dead in the dead-letter store
 * @param deadDropped dead letters dropped at the {@code DEAD_LETTER_LENGTH} cap (this store's count)
 * @param oldestWaiting first-pushed time of the oldest waiting item, if any is waiting
 */
public record StoreStats(
    long ready, long delayed, long inFlight, long dead, long deadDropped,
    Optional<Instant> oldestWaiting) {

  /** Waiting = ready + delayed, what {@code len()} reports. */
  public long waiting() {
    return ready + delayed;
  }
}
