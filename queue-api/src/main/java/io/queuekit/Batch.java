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
  /** A batch of one recovered delivery, run alone (docs/DESIGN.md §4.3). */
  final boolean recovered;
  private final AtomicBoolean settled = new AtomicBoolean();
  /** A recovered batch holds its queue's turn in the manager's recovered lane until this is taken. */
  private final AtomicBoolean holdsLane;
  private Thread runner; // guarded by this: set while the handler runs

  Batch(List<Delivery> deliveries, boolean recovered) {
    this.deliveries = List.copyOf(deliveries);
    this.recovered = recovered;
    this.holdsLane = new AtomicBoolean(recovered);
  }

  /**
   * True for the one caller that gives up this recovered batch's lane: the worker when the handler
   * returned, or {@code HANDLER_TIMEOUT} once it has released the batch, whichever comes first (a
   * late second call must not free the lane a later recovered batch holds). False for others.
   */
  boolean leaveLane() {
    return holdsLane.compareAndSet(true, false);
  }

  /** True for the one caller that gets to settle this batch. */
  boolean claimSettlement() {
    return settled.compareAndSet(false, true);
  }

  boolean settled() {
    return settled.get();
  }

  /**
   * Records the thread about to run the handler, unless the batch is already settled (shutdown
   * gave it back while it waited for this worker): then the handler must not run at all. Under
   * the same lock as {@link #interruptRunner()}, and settlement is claimed before that is called,
   * so either the interrupt reaches this thread or this thread sees the batch settled.
   *
   * @return false if the batch was settled before it began
   */
  synchronized boolean begin(Thread thread) {
    if (settled.get()) {
      return false;
    }
    this.runner = thread;
    return true;
  }

  /** The handler returned: no interrupt may reach its thread from now on. */
  synchronized void ended() {
    this.runner = null;
  }

  /**
   * Interrupts the handler if it is still running, unless it is the caller (a handler shutting its
   * own queue down). Under the same lock as {@link #runner(Thread)}, so an interrupt never reaches
   * a worker that has moved on to another batch.
   */
  synchronized void interruptRunner() {
    if (runner != null && runner != Thread.currentThread()) {
      runner.interrupt();
    }
  }

  int size() {
    return deliveries.size();
  }
}
