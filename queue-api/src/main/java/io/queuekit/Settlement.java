package io.queuekit;

import io.queuekit.internal.OutageBackoff;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The store calls that settle one batch (ack, release, dead-letter; at shutdown, the unclaim that
 * gives unfinished deliveries back), applied independently: a
 * call the store fails (an outage, a backend exception it did not wrap, even an Error) does not
 * keep the others from going through, and is retried with capped backoff (100 ms → 5 s) on the
 * manager's scheduler until it goes through or the store is closed. So a store failure part-way
 * through a batch never leaves the batch's other deliveries in flight, and a delivery counts
 * against the claim loop's prefetch bound exactly until its call went through ({@code onSettled}
 * is told how many deliveries each call settled, once per call; a call given up because the store
 * was closed is told too, so the count never leaks).
 *
 * <p>Exactly one party settles a batch ({@link Batch#claimSettlement()}): the owner registers this
 * object where shutdown finds it, then {@link #arm arm}s it. Shutdown, having claimed settlement of
 * every batch it could, calls {@link #finishNow()} on each registered one: an armed one gets one
 * last attempt before the store is closed; one not armed has lost the claim to shutdown and never
 * applies anything.
 *
 * <p>Thread-safe: the owner's first attempt, scheduled retries and shutdown's last attempt take
 * this object's monitor, and a call that went through is never applied again. Ordering: calls go
 * to the store in the order given; a retried call after those that went through. A retried call
 * the store had in fact applied (its reply lost) finds its deliveries no longer in flight: they
 * are reported stale, as fencing makes them. Durability: as the store's calls; a call still
 * failing at shutdown leaves its deliveries in flight for the store's recovery (a persistent
 * store recovers them when the queue next opens).
 */
final class Settlement {
  private static final Logger log = LoggerFactory.getLogger(Settlement.class);

  /**
   * One store call; {@code call} throws what the store threw, or runs the listeners once the
   * store took it.
   */
  record Step(int deliveries, Runnable call) {}

  private final String queue;
  private final Batch batch;
  private final ScheduledExecutorService scheduler;
  /** Shared by a queue's settlements, so an outage is logged once, not once per batch. */
  private final AtomicBoolean failing;
  private final IntConsumer onSettled;
  private final Runnable onDone;
  private final List<Step> left = new ArrayList<>(); // guarded by this
  private boolean armed; // guarded by this
  private boolean done; // guarded by this
  private long backoffNanos; // guarded by this
  private ScheduledFuture<?> retry; // guarded by this

  /**
   * @param failing true while a settle call of this queue keeps failing
   * @param onSettled told how many deliveries left this process's hands
   * @param onDone run once, when nothing is left to apply (or nothing can be)
   */
  Settlement(String queue, Batch batch, ScheduledExecutorService scheduler, AtomicBoolean failing,
      IntConsumer onSettled, Runnable onDone) {
    this.queue = queue;
    this.batch = batch;
    this.scheduler = scheduler;
    this.failing = failing;
    this.onSettled = onSettled;
    this.onDone = onDone;
  }

  /**
   * Claims the batch's settlement for this object and, if it got it, takes the calls to make:
   * decided only by the party that settles, since deciding counts them (unhandled).
   *
   * @return false if another party settles the batch
   */
  synchronized boolean arm(Supplier<List<Step>> steps) {
    armed = batch.claimSettlement();
    if (armed) {
      left.addAll(steps.get());
    }
    return armed;
  }

  /**
   * Applies every call once; what the store failed is retried later. Call once, after arm().
   *
   * @throws VirtualMachineError one a store call threw, once its retry is scheduled: passed on
   *     to the calling worker as a handler's is
   */
  synchronized void start() {
    if (done) {
      return; // shutdown's finishNow() came first
    }
    VirtualMachineError fatal = attempt();
    if (!done) {
      scheduleRetry();
    }
    if (fatal != null) {
      throw fatal;
    }
  }

  /**
   * Shutdown: if armed and not done, one last attempt now (instead of the scheduled one); calls
   * still failing are given up, their deliveries left in flight for the store's recovery.
   */
  synchronized void finishNow() {
    finishNow("the queue is shutting down");
  }

  /** As {@link #finishNow()}; {@code why} says, in the log line, why calls are given up. */
  synchronized void finishNow(String why) {
    if (!armed || done) {
      return;
    }
    if (retry != null) {
      retry.cancel(false);
    }
    attempt();
    if (!done) {
      abandon(why);
    }
  }

  /**
   * Waits until every call went through (or was given up), or until {@code deadlineNanos}
   * ({@link System#nanoTime()}); retries go on meanwhile on the scheduler.
   *
   * @return true if nothing is left to apply
   * @throws InterruptedException the wait was interrupted
   */
  synchronized boolean awaitDone(long deadlineNanos) throws InterruptedException {
    while (!done) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  private synchronized void retryNow() {
    if (done) {
      return;
    }
    attempt();
    if (!done) {
      scheduleRetry();
    } else if (failing.compareAndSet(true, false)) {
      log.info("queue \"{}\": the store takes settle calls again", queue);
    }
  }

  /**
   * Applies each call left once.
   *
   * @return a VirtualMachineError a call threw (the call is kept, as any failed one), or null
   */
  private VirtualMachineError attempt() {
    Throwable first = null;
    VirtualMachineError fatal = null;
    int failedDeliveries = 0;
    for (int i = 0; i < left.size(); ) {
      Step step = left.get(i);
      try {
        step.call().run();
      } catch (QueueClosedException e) {
        abandon("the store is closed");
        return null;
      } catch (RuntimeException | Error e) {
        // An Error too (a backend class that does not load): escaping here would strand the
        // calls after this one, and the batch's count against the prefetch bound, for good.
        if (first == null) {
          first = e;
        }
        if (e instanceof VirtualMachineError && fatal == null) {
          fatal = (VirtualMachineError) e;
        }
        failedDeliveries += step.deliveries();
        i++;
        continue;
      }
      left.remove(i);
      onSettled.accept(step.deliveries());
    }
    if (left.isEmpty()) {
      finish();
      return fatal;
    }
    if (failing.compareAndSet(false, true)) {
      StoreFailures.log(log, Level.WARN, queue, "the store failed settling " + failedDeliveries
          + " deliveries; retrying with backoff until it answers (further failures of this "
          + "outage are not logged)", first);
    } else if (fatal != null) {
      log.error("queue \"{}\": settling {} deliveries failed again; retrying", queue,
          failedDeliveries, fatal);
    } else if (log.isDebugEnabled()) {
      StoreFailures.log(log, Level.DEBUG, queue, "settling " + failedDeliveries
          + " deliveries failed again", first);
    }
    return fatal;
  }

  private void scheduleRetry() {
    backoffNanos = OutageBackoff.next(backoffNanos);
    try {
      retry = scheduler.schedule(this::retryNow, backoffNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      abandon("the manager's scheduler has stopped");
    }
  }

  private void abandon(String why) {
    int stranded = 0;
    for (Step s : left) {
      stranded += s.deliveries();
      onSettled.accept(s.deliveries());
    }
    left.clear();
    log.error("queue \"{}\": {} deliveries could not be settled ({}); they stay in flight until "
        + "the store recovers them", queue, stranded, why);
    finish();
  }

  private void finish() {
    done = true;
    notifyAll();
    if (retry != null) {
      retry.cancel(false);
    }
    onDone.run();
  }
}
