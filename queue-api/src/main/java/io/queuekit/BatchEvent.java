package io.queuekit;

import java.time.Duration;
import java.util.List;

/**
 * What a {@link QueueListener} is told about one handler call of a worker: how many items it got,
 * how long it ran, and how long each item had waited since it was first pushed. Immutable.
 *
 * @param queue the queue's name
 * @param size items given to the handler (the batch's undecodable items are not among them)
 * @param handlerTime how long the handler ran, returning or throwing ({@link System#nanoTime})
 * @param waits per item, in batch order: from its first push (kept across retries and recoveries)
 *     to the handler's start, by the queue's clock; never negative
 */
public record BatchEvent(String queue, int size, Duration handlerTime, List<Duration> waits) {
  public BatchEvent {
    waits = waits instanceof WaitNanos ? waits : List.copyOf(waits);
  }

  /**
   * The wait of the item at {@code index} of {@link #waits()}, in nanoseconds, without making a
   * {@code Duration}: for listeners that record every item's wait (a metrics timer).
   *
   * @throws IndexOutOfBoundsException when {@code index} is not in {@code [0, waits().size())}
   */
  public long waitNanos(int index) {
    return waits instanceof WaitNanos w ? w.nanos(index) : waits.get(index).toNanos();
  }
}
