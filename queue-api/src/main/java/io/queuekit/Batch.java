package io.queuekit;

import io.queuekit.spi.Delivery;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Deliveries handed to one handler call. Exactly one party settles a batch: the worker when the
 * handler returns, the {@code HANDLER_TIMEOUT} task, or shutdown — whoever {@link #claimSettlement()}
 * first. The others find the batch settled and count their late result as stale.
 */
final class Batch {
  final List<Delivery> deliveries;
  /** A batch of one recovered delivery, run alone (DESIGN §4.3). */
  final boolean recovered;
  private final AtomicBoolean settled = new AtomicBoolean();
  private volatile Thread runner;

  Batch(List<Delivery> deliveries, boolean recovered) {
    this.deliveries = List.copyOf(deliveries);
    this.recovered = recovered;
  }

  /** True for the one caller that gets to settle this batch. */
  boolean claimSettlement() {
    return settled.compareAndSet(false, true);
  }

  boolean settled() {
    return settled.get();
  }

  void runner(Thread thread) {
    this.runner = thread;
  }

  Thread runner() {
    return runner;
  }

  int size() {
    return deliveries.size();
  }
}
