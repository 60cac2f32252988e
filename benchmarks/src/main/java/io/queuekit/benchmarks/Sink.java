package io.queuekit.benchmarks;

import io.queuekit.Handler;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The handler both sides of a comparison call with each decoded batch: it counts items, sums their
 * ids (so a round can check that every item arrived exactly once, and so decoding cannot be
 * optimised away), optionally records push-to-handler latency, and tells the waiting driver when
 * a round is complete.
 *
 * <p>A round is announced with {@link #expect} before its first push and awaited with {@link
 * Round#await}; rounds do not overlap. Thread-safe: called by every worker at once.
 */
final class Sink implements Handler<Payload> {
  private final AtomicLong seen = new AtomicLong();
  private final AtomicLong idSum = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile Round round;

  /**
   * Starts a round of {@code count} items with ids {@code firstId .. firstId + count - 1}.
   *
   * @param recordLatency whether to record each item's push-to-handler latency
   */
  Round expect(long firstId, int count, boolean recordLatency) {
    Round r = new Round(firstId, count, seen.get() + count, idSum.get(), recordLatency);
    round = r;
    return r;
  }

  @Override
  public Collection<?> handle(List<Payload> batch) {
    // One clock read per batch: the moment the handler sees the batch is what a user's handler sees.
    long now = System.nanoTime();
    Round r = round;
    long sum = 0;
    try {
      for (Payload p : batch) {
        sum += p.id();
        if (r.latencies != null) {
          r.latencies[Math.toIntExact(p.id() - r.firstId)] = now - p.pushedNanos();
        }
      }
    } catch (RuntimeException e) {
      // An id outside the round is a harness bug; record it so the driver fails loudly instead of
      // the queue quietly retrying the batch.
      failure.compareAndSet(null, e);
      r.done.countDown();
      throw e;
    }
    idSum.addAndGet(sum);
    if (seen.addAndGet(batch.size()) >= r.target) {
      r.done.countDown();
    }
    return List.of();
  }

  /** Items handled since this sink was made. */
  long seen() {
    return seen.get();
  }

  /** One round of pushes. */
  final class Round {
    final long firstId;
    final int count;
    final long target;
    final long idSumBefore;
    /** Push-to-handler nanos by {@code id - firstId}, or null when not recording. */
    final long[] latencies;
    final CountDownLatch done = new CountDownLatch(1);

    private Round(long firstId, int count, long target, long idSumBefore, boolean record) {
      this.firstId = firstId;
      this.count = count;
      this.target = target;
      this.idSumBefore = idSumBefore;
      this.latencies = record ? new long[count] : null;
    }

    /**
     * Waits until the handler has seen every item of the round, then checks it saw each exactly
     * once (by count and by the sum of ids).
     *
     * @param state describes the pipeline when the wait times out
     * @throws IllegalStateException on timeout, on a duplicate or missing item, or a handler failure
     */
    void await(long timeout, TimeUnit unit, Pipeline state) throws InterruptedException {
      boolean drained = done.await(timeout, unit);
      Throwable f = failure.get();
      if (f != null) {
        throw new IllegalStateException("the sink failed", f);
      }
      if (!drained) {
        throw new IllegalStateException("round of " + count + " items not drained after "
            + unit.toSeconds(timeout) + "s: the handler saw " + (seen.get() - (target - count))
            + "; " + state.describeState());
      }
      long expectedSum = count * firstId + (long) count * (count - 1) / 2;
      long seenNow = seen.get();
      long sumNow = idSum.get() - idSumBefore;
      // Batches of the next round cannot have arrived: the driver starts it only after this check.
      if (seenNow != target || sumNow != expectedSum) {
        throw new IllegalStateException("round of " + count + " items: the handler saw "
            + (seenNow - (target - count)) + " items with id sum " + sumNow + ", expected "
            + count + " with id sum " + expectedSum + " (an item lost or handled twice)");
      }
    }
  }
}
