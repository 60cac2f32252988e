package io.queuekit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker threads of one queue. Ports Gitea's {@code workergroup.go}: workers start on demand
 * when a batch waits and none is idle, up to the cap; an idle worker exits after {@code
 * WORKER_IDLE_TIMEOUT} (by the {@link PoolTimer}: real time, or the queue's injected clock moved
 * past it) unless it is the last one; lowering the cap stops no running worker.
 *
 * <p>A worker whose batch {@code HANDLER_TIMEOUT} has already settled (released) while its handler
 * ignores the interrupt is {@link #detach detached}: it no longer counts as a worker or as active,
 * so it cannot keep the group from starting another under the cap, and it exits when its handler
 * finally returns. While such handlers stay stuck the group runs that many threads beyond the cap;
 * the alternative is a queue whose every worker is wedged.
 *
 * <p>A worker thread that cannot be started ({@code OutOfMemoryError: unable to create native
 * thread}, a thread factory refusing) leaves the counts as they were: no ghost worker is counted
 * running or idle, so the batches waiting for it are not left to a worker that does not exist. The
 * failure is logged (the first of a run of failures at ERROR, with its stack trace; further ones
 * at DEBUG until a start succeeds again, which is logged too), and the start is tried again at the
 * next dispatch, cap change or worker exit, and at each turn of the claim loop ({@link
 * #retryFailedStart}), so the waiting batches are run once threads can be made again.
 *
 * <p>Threads are named {@code queuekit-<queue>-worker-N}. Thread-safe.
 */
final class WorkerGroup {
  private static final Logger log = LoggerFactory.getLogger(WorkerGroup.class);
  /** Tells one worker to exit at shutdown. */
  private static final Batch STOP = new Batch(List.of(), false);
  /** How long a worker that may not retire waits before looking again, at the least. */
  private static final Duration STAYING_RECHECK = Duration.ofSeconds(1);
  /**
   * How long a handler {@code HANDLER_TIMEOUT} interrupted may take to return before it is said to
   * ignore interrupts: most stop within milliseconds, and a warning at the interrupt itself would
   * blame them all.
   */
  static final Duration INTERRUPT_GRACE = Duration.ofSeconds(1);

  private final String queue;
  private final Duration idleTimeout;
  private final PoolTimer timer;
  private final Consumer<Batch> runner;
  private final Consumer<Batch> afterBatch;
  private final BlockingQueue<Batch> pending = new LinkedBlockingQueue<>();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  /**
   * Dispatched and not finished, from {@link #dispatch} on, so a batch a worker has taken from
   * {@code pending} but not begun is still listed: shutdown gives back what {@link #stop()}
   * returns and what {@link #running()} lists, and nothing may fall between the two.
   */
  private final Set<Batch> unfinished = ConcurrentHashMap.newKeySet();
  /**
   * Batches whose handler runs now, by worker thread. Exactly one of the worker (when the handler
   * returns) and {@link #detach} removes a batch, so {@code active} is decremented once.
   */
  private final Map<Batch, Thread> runningOn = new ConcurrentHashMap<>();
  /** Detached workers whose handler has not returned yet, with when they were detached. */
  private final Map<Thread, Long> detachedAt = new ConcurrentHashMap<>();
  private final AtomicInteger idle = new AtomicInteger();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger started = new AtomicInteger();
  /** Makes the worker threads (named and made daemons here); tests pass one that refuses. */
  private final ThreadFactory threadFactory;
  private volatile int maxWorkers;
  private boolean stopping; // guarded by this
  /** Why the last start failed, while starts fail (null once one succeeds); written under this. */
  private volatile Throwable startFailure;
  private int failedStarts; // guarded by this: in a row, since the last start that worked

  WorkerGroup(String queue, int maxWorkers, Duration idleTimeout, PoolTimer timer,
      Consumer<Batch> runner, Consumer<Batch> afterBatch) {
    this(queue, maxWorkers, idleTimeout, timer, runner, afterBatch, Thread::new);
  }

  WorkerGroup(String queue, int maxWorkers, Duration idleTimeout, PoolTimer timer,
      Consumer<Batch> runner, Consumer<Batch> afterBatch, ThreadFactory threadFactory) {
    this.threadFactory = threadFactory;
    this.queue = queue;
    this.maxWorkers = maxWorkers;
    this.idleTimeout = idleTimeout;
    this.timer = timer;
    this.runner = runner;
    this.afterBatch = afterBatch;
  }

  /** Queues a batch for the next free worker, starting one if none is idle and the cap allows. */
  void dispatch(Batch batch) {
    unfinished.add(batch);
    pending.add(batch);
    maybeStartWorker();
  }

  void setMaxWorkers(int n) {
    this.maxWorkers = n;
    maybeStartWorker();
  }

  int maxWorkers() {
    return maxWorkers;
  }

  int workers() {
    return threads.size();
  }

  int active() {
    return active.get();
  }

  /** Workers ever started (tests check idle workers are not churned). */
  int started() {
    return started.get();
  }

  /**
   * Starts again a worker whose start failed, if batches still wait for one; a volatile read and
   * nothing more while starts work. The claim loop calls it at each turn: without it, batches left
   * waiting with no worker would wait for the next dispatch, which may never come.
   */
  void retryFailedStart() {
    if (startFailure != null) {
      maybeStartWorker();
    }
  }

  /** Why starting a worker failed, while starts fail; null once one has started since. */
  Throwable startFailure() {
    return startFailure;
  }

  private synchronized void maybeStartWorker() {
    while (!stopping && threads.size() < maxWorkers && pending.size() > idle.get()) {
      String name = "queuekit-" + queue + "-worker-" + (started.get() + 1);
      Thread t = null;
      boolean counted = false;
      try {
        t = NamedThreads.make(threadFactory, this::work, name);
        t.setDaemon(true);
        // Counted before start(), as the thread may run at once (and, leaving, uncount itself);
        // counted idle from birth, so the loop starts one thread per waiting batch.
        threads.add(t);
        idle.incrementAndGet();
        counted = true;
        t.start();
      } catch (RuntimeException | Error e) {
        // An OutOfMemoryError ("unable to create native thread") among them: no thread runs, so
        // nothing else has touched its counts. Left counted, it would be a worker that never takes
        // the batches waiting for it, and would keep another from starting.
        if (counted) {
          threads.remove(t);
          idle.decrementAndGet();
        }
        startFailed(name, e);
        return;
      }
      started.incrementAndGet();
      if (startFailure != null) {
        log.info("queue \"{}\": worker thread {} started after {} failed start{}; workers start "
            + "again", queue, name, failedStarts, failedStarts == 1 ? "" : "s");
        startFailure = null;
        failedStarts = 0;
      }
    }
  }

  /** A start failed (called under this): reported, and tried again later. */
  private void startFailed(String name, Throwable e) {
    failedStarts++;
    String what = "could not start worker thread " + name + " (" + threads.size()
        + " workers running, MAX_WORKERS=" + maxWorkers + ", " + pending.size()
        + " batches waiting); trying again at the next dispatch, claim-loop turn or worker exit";
    if (startFailure == null) {
      log.error("queue \"{}\": {} (further failures are logged at DEBUG until a start works)",
          queue, what, e);
    } else {
      log.debug("queue \"{}\": {} (failure {} in a row)", queue, what, failedStarts, e);
    }
    startFailure = e;
  }

  private void work() {
    Thread self = Thread.currentThread();
    boolean countedIdle = true;
    Duration patience = idleTimeout;
    try {
      while (true) {
        if (!countedIdle) {
          idle.incrementAndGet();
        }
        Batch batch;
        try {
          batch = awaitBatch(patience);
        } finally {
          idle.decrementAndGet();
          countedIdle = false;
        }
        if (batch == STOP) {
          return;
        }
        if (batch == null) {
          if (mayRetire()) {
            return;
          }
          // Staying on (the last worker, or shutting down): wait at least a second before looking
          // again, so a zero or tiny WORKER_IDLE_TIMEOUT does not spin.
          patience = idleTimeout.compareTo(STAYING_RECHECK) < 0 ? STAYING_RECHECK : idleTimeout;
          continue;
        }
        patience = idleTimeout;
        if (!pending.isEmpty()) {
          // A dispatch that ran while this worker had taken its batch but was still counted idle
          // started no worker for the batch behind it: start one now if the cap allows.
          maybeStartWorker();
        }
        active.incrementAndGet();
        runningOn.put(batch, self);
        boolean detached;
        try {
          runner.accept(batch);
        } catch (RuntimeException | Error e) {
          log.error("queue \"{}\": worker failed running a batch", queue, e);
          if (e instanceof VirtualMachineError) {
            throw e;
          }
        } finally {
          detached = runningOn.remove(batch) == null;
          unfinished.remove(batch);
          if (!detached) {
            active.decrementAndGet();
          }
          Thread.interrupted();
          afterBatch.accept(batch);
        }
        if (detached) {
          // Its place went to another worker when HANDLER_TIMEOUT gave up on this handler.
          Long at = detachedAt.remove(self);
          log.info("queue \"{}\": the handler HANDLER_TIMEOUT interrupted returned{}; its thread "
              + "exits", queue, at == null ? ""
                  : " " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - at) + " ms later");
          return;
        }
      }
    } finally {
      threads.remove(self);
      // A worker killed by an Error leaves batches waiting for it: start a replacement (a no-op
      // after a STOP or a retirement, which leave none waiting).
      maybeStartWorker();
    }
  }

  /**
   * The next batch, or null once {@code patience} passed without one. A batch already waiting is
   * taken even when {@code patience} is zero.
   */
  private Batch awaitBatch(Duration patience) {
    PoolTimer.Deadline idleEnd = timer.deadline(patience);
    while (true) {
      long wait = idleEnd.waitNanos();
      try {
        Batch batch = wait > 0 ? pending.poll(wait, TimeUnit.NANOSECONDS) : pending.poll();
        if (batch != null) {
          return batch;
        }
      } catch (InterruptedException e) {
        // a stray interrupt aimed at a finished handler: look again
      }
      if (idleEnd.passed()) {
        return null;
      }
    }
  }

  /**
   * {@code HANDLER_TIMEOUT} settled {@code batch} and interrupted its handler, which is still
   * running: its thread stops counting as a worker (and as active), so the group may start another
   * under the cap; the thread exits once the handler returns. A no-op if the handler has returned.
   *
   * @return the detached worker's thread, or null when the handler had returned
   */
  Thread detach(Batch batch) {
    Thread t = runningOn.remove(batch);
    if (t == null) {
      return null;
    }
    detachedAt.put(t, System.nanoTime());
    active.decrementAndGet();
    threads.remove(t);
    log.debug("queue \"{}\": {} no longer counts against MAX_WORKERS={} while the handler "
        + "HANDLER_TIMEOUT interrupted finishes", queue, t.getName(), maxWorkers);
    maybeStartWorker();
    return t;
  }

  /**
   * Warns when worker {@code t}, detached {@link #INTERRUPT_GRACE} ago (the caller schedules
   * this), is still running its handler: that handler ignores interrupts, and its thread runs
   * beyond {@code MAX_WORKERS} until it returns.
   */
  void warnIfStillDetached(Thread t) {
    Long at = detachedAt.get(t);
    if (at != null && t.isAlive()) {
      log.warn("queue \"{}\": {} is still running a handler {} ms after HANDLER_TIMEOUT "
          + "interrupted it: the handler ignores interrupts; its thread no longer counts against "
          + "MAX_WORKERS={} and exits when the handler returns", queue, t.getName(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - at), maxWorkers);
    }
  }

  /** An idle worker exits unless it is the last one, or work is waiting. */
  private synchronized boolean mayRetire() {
    if (stopping) {
      return false; // wait for a STOP so shutdown knows every worker saw it
    }
    if (threads.size() > 1 && pending.isEmpty()) {
      threads.remove(Thread.currentThread());
      return true;
    }
    return false;
  }

  /**
   * Stops starting workers and takes back every batch no worker has begun; each worker exits after
   * its current batch.
   */
  synchronized List<Batch> stop() {
    stopping = true;
    List<Batch> notStarted = new ArrayList<>();
    pending.drainTo(notStarted);
    notStarted.remove(STOP);
    unfinished.removeAll(notStarted);
    // Counted once: workers taking their STOP leave the set while the loop runs.
    int workers = threads.size();
    for (int i = 0; i < workers; i++) {
      pending.add(STOP);
    }
    return notStarted;
  }

  /**
   * Waits until every worker exited or the deadline (System.nanoTime) passed. A worker calling
   * this (a handler shutting its own queue down) is not waited for: it cannot exit meanwhile.
   */
  boolean awaitExit(long deadlineNanos) throws InterruptedException {
    Thread caller = Thread.currentThread();
    for (Thread t : List.copyOf(threads)) {
      if (t == caller) {
        continue;
      }
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        break;
      }
      TimeUnit.NANOSECONDS.timedJoin(t, left);
    }
    return threads.stream().noneMatch(t -> t != caller && t.isAlive());
  }

  /**
   * Batches dispatched and not finished, other than those {@link #stop()} returned: running, or
   * taken by a worker that has not begun them yet (it finds them settled if shutdown gave them
   * back meanwhile, and does not run them).
   */
  List<Batch> running() {
    return List.copyOf(unfinished);
  }
}
