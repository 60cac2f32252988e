package io.queuekit;

import io.queuekit.internal.OutageBackoff;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The one thread per queue that claims from the store and batches. Ports the run loop of Gitea's
 * {@code workerqueue.go}: a batch goes to the workers when it holds {@code BATCH_LENGTH} items or
 * {@code BATCH_DEBOUNCE} after its first item (a fixed window, not reset by later items), by the
 * {@link PoolTimer}: real time, or the queue's injected clock moved past it.
 *
 * <p>Beyond Gitea: it holds at most {@code BATCH_LENGTH × (MAX_WORKERS + 1)} unsettled deliveries
 * (no hoarding, the basis of the crash-duplicate bound); recovered deliveries (recovery count &gt;
 * 0) are dispatched alone, one at a time per manager (across its queues: {@link RecoveredLane}),
 * so only the item whose handler was running at a crash keeps gaining recoveries: the loop never
 * holds a recovered delivery it is not running (further ones, or all of them while another queue
 * holds the lane, go back to the head at once, counts unchanged) and claims nothing while one runs
 * or while it waits for the lane, so a crash during that run finds no other recovered item in
 * flight; while paused it claims nothing. After a full batch, with room for another under the
 * bound, it hints the store that its next claim asks for a batch ({@link BaseQueue#claimAhead}),
 * so a store whose claim is a round trip sends it while this one is handed out; paused after a
 * hint, one claim collects what the store took ahead, and it is given back.
 *
 * <p>A store call that throws (a {@link QueueException}, any runtime exception a backend let
 * through unwrapped, or an {@link Error} such as a backend class that does not load) is an outage:
 * logged once when it starts and once when it ends (one line with the store's message for a
 * {@link QueueException}; a stack trace only for anything else, a bug), retried with capped
 * backoff (100 ms → 5 s).
 * The loop ends only at {@link #stop()}, when the store is closed under it, or on a {@link
 * VirtualMachineError} (or a failure outside the store calls): then it records the cause ({@link
 * #failure()}), so the queue refuses pushes and reports itself unhealthy instead of accepting items
 * it will never handle.
 *
 * <p>Methods named {@code doXxx} run on the claim thread only; the rest are thread-safe.
 */
final class ClaimLoop {
  private static final Logger log = LoggerFactory.getLogger(ClaimLoop.class);

  private final String queue;
  private final BaseQueue base;
  private final int batchLength;
  private final Duration debounce;
  private final PoolTimer timer;
  private final long claimWaitNanos;
  private final WorkerGroup workers;

  /** Claimed, not yet settled: buffer + dispatched batches. */
  private final AtomicInteger held = new AtomicInteger();
  private final RecoveredLane lane;
  /** Counts a delivery the store merged when given back (a unique queue's copy was waiting). */
  private final Runnable onMerged;
  /** A recovered delivery of this queue is running: claim nothing until it finished. */
  private volatile boolean recoveredRunning;
  /** Recovered deliveries were given back because another queue holds the lane. */
  private volatile boolean awaitingLane;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  /** Bumped by every signal, so no wake-up is lost; read without the lock. */
  private final AtomicLong generation = new AtomicLong();
  /**
   * The claim thread is in (or entering) {@link #doAwait}: only then does a signal take the lock.
   * Set before doAwait re-reads the generation and read by a signal after it bumped it, so either
   * the signal sees it set, or the waiter sees the new generation (volatile, so sequentially
   * consistent); a worker settling a batch while the loop runs takes no lock.
   */
  private volatile boolean waiting;
  private final Object claimInterruptLock = new Object();
  private boolean claiming; // guarded by claimInterruptLock
  private final AtomicInteger flushers = new AtomicInteger();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private volatile boolean paused;
  /** Why the loop ended other than by stop() (claiming has stopped for good), or null. */
  private volatile Throwable failure;
  private final Thread thread;

  // claim-thread state
  private final List<Delivery> buffer = new ArrayList<>();
  /** When the buffered partial batch goes out; set when its first item is buffered. */
  private PoolTimer.Deadline bufferDeadline;
  private final List<Delivery> leftovers = new ArrayList<>();
  /** The store sent the next claim ahead ({@link BaseQueue#claimAhead}) and no claim ran since. */
  private boolean hintedAhead;

  ClaimLoop(String queue, BaseQueue base, QueueSettings settings, Duration claimWait,
      WorkerGroup workers, RecoveredLane lane, PoolTimer timer, Runnable onMerged,
      ThreadFactory threads) {
    this.onMerged = onMerged;
    this.lane = lane;
    this.queue = queue;
    this.base = base;
    this.batchLength = settings.batchLength();
    this.debounce = settings.batchDebounce();
    this.timer = timer;
    this.claimWaitNanos = claimWait.toNanos();
    this.workers = workers;
    this.thread = NamedThreads.make(threads, this::doRun, "queuekit-" + queue + "-claimer");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  int held() {
    return held.get();
  }

  void pause() {
    paused = true;
  }

  void resume() {
    paused = false;
    signal();
  }

  boolean paused() {
    return paused;
  }

  /** What ended the loop if it failed (a VirtualMachineError, a bug): no item is claimed again. */
  Throwable failure() {
    return failure;
  }

  /** The worker cap changed: the prefetch bound moves with it. */
  void maxWorkersChanged() {
    signal();
  }

  /** While a flush runs, batches go out as soon as they are claimed. */
  void flushStarted() {
    flushers.incrementAndGet();
    signal();
  }

  void flushEnded() {
    flushers.decrementAndGet();
  }

  /** {@code n} deliveries were settled: they no longer count against the prefetch bound. */
  void settled(int n) {
    held.addAndGet(-n);
    signal();
  }

  /** A worker finished a batch: a recovered batch lets the loop claim (and run) the next one. */
  void batchFinished(Batch batch) {
    leaveLane(batch);
    signal();
  }

  /**
   * {@code HANDLER_TIMEOUT} released {@code batch} while its handler still runs: a recovered one
   * is no longer in flight, so a crash now would not count a recovery for it; its stuck handler
   * must not hold the lane (and this loop's claiming) any longer.
   */
  void batchTimedOut(Batch batch) {
    leaveLane(batch);
    signal();
  }

  private void leaveLane(Batch batch) {
    if (batch.leaveLane()) {
      // Free the lane first: once recoveredRunning is false this loop may claim and re-take it.
      lane.release(this);
      recoveredRunning = false;
    }
  }

  /** The lane this loop waited for is free: claim again (and try to take it). */
  void laneFreed() {
    awaitingLane = false;
    signal();
  }

  /** At shutdown, once this queue runs no recovered delivery any more: frees the lane for others. */
  void leaveRecoveredLane() {
    lane.leave(this);
  }

  /**
   * Stops claiming, waking a blocked claim, and waits for the thread to end, even if the caller is
   * interrupted (its flag is kept): what the thread holds is only known once it has ended.
   *
   * @return the deliveries it held but never dispatched, in claim order
   */
  List<Delivery> stop() {
    stopping.set(true);
    synchronized (claimInterruptLock) {
      if (claiming) {
        thread.interrupt();
      }
    }
    signal();
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return new ArrayList<>(leftovers);
  }

  private void signal() {
    generation.incrementAndGet();
    if (!waiting) {
      return;
    }
    lock.lock();
    try {
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private long generation() {
    return generation.get();
  }

  private int prefetchBound() {
    // in long: MAX_WORKERS has no upper bound, and at Integer.MAX_VALUE the int product wrapped
    // to 0, leaving the queue unable to claim anything
    return (int) Math.min(Integer.MAX_VALUE, (long) batchLength * (workers.maxWorkers() + 1L));
  }

  private void doRun() {
    long outageBackoff = 0;
    boolean outage = false;
    try {
      while (!stopping.get()) {
        long seen = generation();
        // A worker the group could not start (no native thread to be had) is tried again here: the
        // batches waiting for it may get no other dispatch to try again for them.
        workers.retryFailedStart();
        if (!buffer.isEmpty() && (flushers.get() > 0 || bufferDeadline.passed())) {
          doDispatchBuffer();
        }
        if (!leftovers.isEmpty()) {
          // Claimed by a claim that raced pause(): given back, retried while the store fails.
          try {
            doUnclaimLeftovers();
          } catch (QueueClosedException e) {
            // stop() hands them back; otherwise the store closed under the loop, said once here
            // (the claim's own report below is not reached)
            if (!stopping.get()) {
              log.error("queue \"{}\": store closed under the claim loop while giving back {} "
                  + "items claimed as it paused; claiming stops", queue, leftovers.size(), e);
            }
            return;
          } catch (VirtualMachineError e) {
            throw e;
          } catch (RuntimeException | Error e) {
            // QueueException or a backend's own exception it did not wrap: an outage either way
            if (!outage) {
              StoreFailures.log(log, Level.WARN, queue, "could not give back " + leftovers.size()
                  + " items claimed as it paused; retrying with backoff until the store answers",
                  e);
              outage = true;
            }
            outageBackoff = OutageBackoff.next(outageBackoff);
            doAwait(outageBackoff, seen);
            continue;
          }
        }
        int room = prefetchBound() - held.get();
        // paused after a claim ahead was hinted: one claim collects what the store took ahead,
        // to give back below as what was claimed as it paused, rather than hold it while paused
        boolean collectAhead = paused && hintedAhead;
        if (!collectAhead && (paused || room <= 0 || recoveredRunning || awaitingLane)) {
          doAwait(buffer.isEmpty() ? claimWaitNanos : bufferDeadline.waitNanos(), seen);
          continue;
        }
        long wait = collectAhead ? 0 : buffer.isEmpty() ? claimWaitNanos
            : Math.max(0, Math.min(claimWaitNanos, bufferDeadline.waitNanos()));
        List<Delivery> claimed;
        try {
          // collecting, room may be gone (the worker cap fell): what comes back goes back
          claimed = doClaimCounted(collectAhead ? batchLength : Math.min(room, batchLength), wait);
          if (outage) {
            log.info("queue \"{}\": store reachable again; claiming resumed", queue);
            outage = false;
          }
          outageBackoff = 0;
        } catch (QueueClosedException e) {
          if (!stopping.get()) {
            log.error("queue \"{}\": store closed under the claim loop; claiming stops", queue, e);
          }
          return;
        } catch (VirtualMachineError e) {
          throw e;
        } catch (RuntimeException | Error e) {
          // A QueueException, a backend's client exception it let through unwrapped (Lettuce,
          // LevelDB), or an Error of its (a class that does not load): an outage either way.
          // Ending the loop would silently stop the queue.
          if (stopping.get()) {
            return;
          }
          if (!outage) {
            StoreFailures.log(log, Level.WARN, queue,
                "claim failed; retrying with backoff until the store answers", e);
            outage = true;
          }
          outageBackoff = OutageBackoff.next(outageBackoff);
          doAwait(outageBackoff, seen);
          continue;
        }
        if (claimed.isEmpty()) {
          continue;
        }
        if (paused || stopping.get()) {
          // Claimed by a claim that raced pause() or stop(): given back untouched, by the next
          // turn or by stop().
          leftovers.addAll(claimed);
          continue;
        }
        Delivery solo = null;
        for (Delivery d : claimed) {
          if (d.recoveryCount() > 0) {
            if (solo == null && !recoveredRunning && !awaitingLane) {
              // Set before asking, so a laneFreed() between a refusal and here is not lost.
              awaitingLane = true;
              if (lane.tryAcquire(this)) {
                awaitingLane = false;
                solo = d;
                continue;
              }
            }
            leftovers.add(d);
          } else {
            if (buffer.isEmpty()) {
              bufferDeadline = timer.deadline(debounce);
            }
            buffer.add(d);
            if (buffer.size() >= batchLength) {
              doDispatchBuffer();
            }
          }
        }
        if (!leftovers.isEmpty()) {
          // Held but not running, they would gain a recovery if the solo run crashed the process.
          try {
            doUnclaimLeftovers();
          } catch (VirtualMachineError e) {
            throw e;
          } catch (RuntimeException | Error e) {
            // Still held: the solo waits with them (and the lane is free) until the top of the
            // loop has given them all back, retrying with backoff.
            StoreFailures.log(log, Level.WARN, queue, "could not give back " + leftovers.size()
                + " recovered items before running one alone; retrying", e);
            if (solo != null) {
              leftovers.add(0, solo);
              solo = null;
              lane.release(this);
            }
          }
        }
        if (solo != null) {
          recoveredRunning = true;
          workers.dispatch(new Batch(List.of(solo), true));
        } else if (claimed.size() == batchLength && leftovers.isEmpty() && !paused
            && !stopping.get() && !awaitingLane && prefetchBound() - held.get() >= batchLength) {
          // a full batch: more are likely ready, and the next claim asks for batchLength (held
          // only falls until then); the store may send it now (the prefetch bound counts it)
          hintedAhead = base.claimAhead(batchLength);
        }
      }
    } catch (RuntimeException | Error e) {
      // Recorded, not rethrown: the queue reports it (pushes, health()) for as long as it lives,
      // where a thread's uncaught-exception handler would only print it once more.
      failure = e;
      log.error("queue \"{}\": claim loop failed; no more items will be claimed, pushes are refused "
          + "and health() reports the queue until it is recreated", queue, e);
    } finally {
      leftovers.addAll(buffer);
      buffer.clear();
    }
  }

  /** A claim whose deliveries count as held from here on. */
  private List<Delivery> doClaimCounted(int max, long waitNanos) {
    hintedAhead = false;
    List<Delivery> claimed = doClaim(max, waitNanos);
    held.addAndGet(claimed.size());
    return claimed;
  }

  private List<Delivery> doClaim(int max, long waitNanos) {
    synchronized (claimInterruptLock) {
      if (stopping.get()) {
        return List.of();
      }
      claiming = true;
    }
    try {
      return base.claim(max, Duration.ofNanos(waitNanos));
    } catch (QueueInterruptedException e) {
      return List.of();
    } finally {
      synchronized (claimInterruptLock) {
        claiming = false;
        Thread.interrupted(); // an interrupt from stop() must not outlive the claim
      }
    }
  }

  /** Gives back what a claim racing pause() got; on failure they stay in {@code leftovers}. */
  private void doUnclaimLeftovers() {
    List<Delivery> back = new ArrayList<>(leftovers);
    for (Outcome o : base.unclaim(back)) {
      if (o == Outcome.MERGED) {
        onMerged.run(); // counted as shutdown's give-back counts it
      }
    }
    leftovers.clear();
    held.addAndGet(-back.size());
  }

  private void doDispatchBuffer() {
    workers.dispatch(new Batch(buffer, false));
    buffer.clear();
  }

  /** Waits up to {@code nanos} unless a signal came after {@code seen} was read. */
  private void doAwait(long nanos, long seen) {
    if (nanos <= 0) {
      return;
    }
    lock.lock();
    waiting = true;
    try {
      while (nanos > 0 && generation.get() == seen && !stopping.get()) {
        nanos = wake.awaitNanos(nanos);
      }
    } catch (InterruptedException e) {
      // stop() interrupts only a claim in progress; anything else is stray: the loop re-checks
    } finally {
      waiting = false;
      lock.unlock();
    }
  }
}
