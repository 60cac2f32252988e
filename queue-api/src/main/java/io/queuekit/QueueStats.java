package io.queuekit;

import java.time.Duration;
import java.util.Optional;

/**
 * A snapshot of one queue. Store counts cover every process using the store and are cached for
 * about a second (a failure to read them too), so scrapes never hammer it; the counters below them
 * are this process's since the queue was created.
 *
 * @param name queue name
 * @param type canonical {@code TYPE}
 * @param itemType the item class's name
 * @param unique unique flavour
 * @param workers worker threads now
 * @param active workers running a handler now
 * @param maxWorkers the worker cap
 * @param paused whether claiming is paused
 * @param ready store: claimable now
 * @param delayed store: claimable later
 * @param inFlight store: claimed, not settled (all consumers)
 * @param dead store: dead letters
 * @param deadDropped store: dead letters dropped at the cap
 * @param oldestWaitingAge store: age of the oldest waiting item, if any
 * @param handled items handled
 * @param unhandled deliveries that ended unhandled
 * @param deadLettered items this process dead-lettered
 * @param recovered deliveries this process claimed whose item a crash put back (recovery count
 *     &gt; 0): each runs alone in the recovered lane, so a retry of such an item counts again
 * @param merged unique copies merged into a waiting copy on release or unclaim
 * @param stale settle calls that were stale
 */
public record QueueStats(
    String name,
    String type,
    String itemType,
    boolean unique,
    int workers,
    int active,
    int maxWorkers,
    boolean paused,
    long ready,
    long delayed,
    long inFlight,
    long dead,
    long deadDropped,
    Optional<Duration> oldestWaitingAge,
    long handled,
    long unhandled,
    long deadLettered,
    long recovered,
    long merged,
    long stale) {

  /**
   * This process's counters of one queue, the same as in its {@link QueueStats}, read without the
   * store ({@link WorkerPoolQueue#processCounts()}): known while the store does not answer.
   *
   * @param handled items handled
   * @param unhandled deliveries that ended unhandled
   * @param deadLettered items this process dead-lettered
   * @param recovered deliveries this process claimed whose item a crash put back
   * @param merged unique copies merged into a waiting copy on release or unclaim
   * @param stale settle calls that were stale
   */
  public record ProcessCounts(long handled, long unhandled, long deadLettered, long recovered,
      long merged, long stale) {}
}
