package io.queuekit;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.queuekit.internal.GoDuration;
import io.queuekit.internal.Nanos;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link WorkerPoolQueue} every backend gets: a {@link ClaimLoop} feeding a {@link
 * WorkerGroup} whose workers run a {@link BatchRunner}. Ports Gitea's {@code workerqueue.go}.
 *
 * <p>For {@code immediate} backends pushes run the handler in the caller's thread ({@link
 * ImmediateRunner}); for {@code dummy} backends nothing is claimed. Thread-safe.
 */
final class DefaultWorkerPoolQueue<T> implements WorkerPoolQueue<T> {
  private static final Logger log = LoggerFactory.getLogger(DefaultWorkerPoolQueue.class);
  /** Between store checks while flushing: other processes' progress is only seen in the store. */
  private static final long FLUSH_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  /** How long stats() reuses the store's figures, or its failure. */
  private static final Duration STATS_CACHED = Duration.ofSeconds(1);

  private final String name;
  private final Class<T> itemType;
  private final QueueSettings settings;
  private final BaseQueue base;
  private final Codec<T> codec;
  private final Function<? super T, byte[]> identity;
  private final Handling<T> handler;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final Counters counters = new Counters();
  private final Listeners<T> listeners;
  private final WorkerGroup workers;
  private final BatchRunner<T> runner;
  /** Handles pushes in the pusher's thread on {@code immediate} backends; null on others. */
  private final ImmediateRunner<T> immediate;
  private final ClaimLoop loop;
  /** The store's last answer to stats(), or its failure, for {@link #STATS_CACHED}: see stats(). */
  private final LoadingCache<Boolean, StoreAnswer> storeStats;
  private final Runnable onShutdown;
  private final AtomicBoolean shutdownStarted = new AtomicBoolean();
  private final CountDownLatch shutdownDone = new CountDownLatch(1);
  private final Object progress = new Object();
  private final AtomicInteger flushing = new AtomicInteger();

  DefaultWorkerPoolQueue(QueueSpec<T> spec, QueueSettings settings, BaseQueue base, Clock clock,
      ScheduledExecutorService scheduler, Duration claimWait, RecoveredLane lane,
      Runnable onShutdown) {
    this(spec, settings, base, clock, scheduler, claimWait, lane, onShutdown, Thread::new);
  }

  /**
   * As the other constructor, with the factory of the queue's claim and worker threads (which
   * names them and makes them daemons): tests pass one that refuses to start some.
   */
  DefaultWorkerPoolQueue(QueueSpec<T> spec, QueueSettings settings, BaseQueue base, Clock clock,
      ScheduledExecutorService scheduler, Duration claimWait, RecoveredLane lane,
      Runnable onShutdown, ThreadFactory threads) {
    this.scheduler = scheduler;
    this.name = spec.name();
    this.itemType = spec.itemType();
    this.settings = settings;
    this.base = base;
    this.codec = spec.codec();
    this.identity = spec.uniqueKey().orElse(null);
    this.handler = Handling.of(spec);
    this.clock = clock;
    this.onShutdown = onShutdown;
    this.listeners = new Listeners<>(name, spec.listeners());
    Backoff backoff = new Backoff(settings.retryDelay(), settings.retryDelayMax(),
        () -> ThreadLocalRandom.current().nextDouble());
    ClaimLoop[] loopRef = new ClaimLoop[1];
    WorkerGroup[] workersRef = new WorkerGroup[1];
    this.runner = new BatchRunner<>(name, base, codec, handler, settings, backoff,
        listeners, counters, clock, scheduler, n -> {
          loopRef[0].settled(n);
          notifyProgress();
        }, batch -> {
          Thread detached = workersRef[0].detach(batch);
          if (detached != null) {
            warnIfStuck(workersRef[0], detached);
          }
          loopRef[0].batchTimedOut(batch);
        });
    // BATCH_DEBOUNCE and WORKER_IDLE_TIMEOUT follow the injected clock too (tests move it)
    PoolTimer timer = PoolTimer.of(clock, claimWait);
    this.workers = new WorkerGroup(name, settings.maxWorkers(), settings.workerIdleTimeout(),
        timer, runner::run, batch -> loopRef[0].batchFinished(batch), threads);
    workersRef[0] = workers;
    this.loop = new ClaimLoop(name, base, settings, claimWait, workers, lane, timer,
        counters.merged::increment, threads);
    loopRef[0] = loop;
    this.immediate = base.mode() == BaseQueue.Mode.IMMEDIATE
        ? new ImmediateRunner<>(name, settings, codec, handler, clock, counters, listeners) : null;
    this.storeStats = Caffeine.newBuilder()
        .expireAfterWrite(STATS_CACHED)
        .maximumSize(1)
        .build(k -> askStore());
  }

  /**
   * What the store said to stats(): its figures, or the failure that it threw. A failure is kept
   * as long as figures are: while the store is down each call can take seconds to fail (a pool's
   * connection timeout), and health checks, the admin API and metrics must not each pay it.
   */
  private record StoreAnswer(StoreStats stats, QueueException failure) {}

  private StoreAnswer askStore() {
    try {
      return new StoreAnswer(base.stats(), null);
    } catch (QueueInterruptedException | QueueClosedException e) {
      throw e; // the caller's interrupt, or the queue's end: not the store's state to remember
    } catch (QueueException e) {
      return new StoreAnswer(null, e);
    }
  }

  /**
   * A remembered failure, thrown again: a new exception per caller (each with its own stack,
   * the store's as its cause), its message naming the queue as backends do. Of the kinds callers
   * tell apart (unavailable, config, else any QueueException) it keeps the kind; another
   * subclass a backend threw is the cause of a plain QueueException.
   */
  private QueueException storeFailed(QueueException e) {
    String prefix = StoreFailures.prefix(name);
    String text = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    String message = text.startsWith(prefix) ? text : prefix + text;
    if (e instanceof QueueUnavailableException) {
      return new QueueUnavailableException(message, e);
    }
    if (e instanceof QueueConfigException) {
      return new QueueConfigException(message, e);
    }
    return new QueueException(message, e);
  }

  /**
   * The store dead-lettered an item by itself ({@link io.queuekit.spi.StoreEvents}): counted and
   * told to the listeners like the pool's own dead letters. There is no delivery (id 0); an item the
   * codec cannot read is reported empty.
   */
  void storeDeadLettered(DeadLetter letter) {
    counters.deadLettered.increment();
    if (listeners.isEmpty()) {
      return;
    }
    T item = null;
    try {
      item = codec.decode(letter.payload());
    } catch (Exception | LinkageError e) {
      log.debug("queue \"{}\": dead letter {} cannot be decoded for its event: {}", name,
          letter.id(), e.toString());
    }
    listeners.onDeadLettered(new ItemEvent<>(name, Optional.ofNullable(item), 0,
        letter.deliveryCount(), letter.recoveryCount(), Duration.ZERO, letter.reason(),
        Optional.of(storeCause(letter.reason()))));
  }

  /**
   * A store dead-letters by itself only a quarantined poison item, whose reason starts "suspected
   * poison item" (the contract of {@link io.queuekit.spi.StoreEvents}), or an entry it cannot
   * parse.
   */
  static DeadLetterCause storeCause(String reason) {
    return reason != null && reason.startsWith(io.queuekit.spi.StoreEvents.QUARANTINE_REASON)
        ? DeadLetterCause.QUARANTINED : DeadLetterCause.UNDECODABLE;
  }

  /** Tells the listeners, if any, what became of pushed items; nothing to do when none listens. */
  private PushResult pushed(PushResult result) {
    if (!listeners.isEmpty()) {
      listeners.onPushed(name, result);
    }
    return result;
  }

  /** A push that gave up waiting for room counts as {@link PushResult#FULL} for the listeners. */
  /**
   * Checks, {@link WorkerGroup#INTERRUPT_GRACE} after {@code HANDLER_TIMEOUT} interrupted the
   * handler on {@code t}, whether it still runs (it then ignores interrupts: warned).
   */
  private void warnIfStuck(WorkerGroup group, Thread t) {
    try {
      scheduler.schedule(() -> group.warnIfStillDetached(t),
          WorkerGroup.INTERRUPT_GRACE.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // shutting down: its own wait reports a handler that does not stop
      log.debug("queue \"{}\": the scheduler has stopped; {} is not checked for a handler "
          + "ignoring interrupts", name, t.getName(), e);
    }
  }

  private void pushFull(int items) {
    if (!listeners.isEmpty()) {
      for (int i = 0; i < items; i++) {
        listeners.onPushed(name, PushResult.FULL);
      }
    }
  }

  /**
   * Starts claiming. A claim thread that cannot be started ({@code OutOfMemoryError: unable to
   * create native thread}) would leave a queue that takes pushes and never handles them: the queue
   * is shut down instead (its store closed, its manager told through {@code onShutdown}) and the
   * failure thrown, naming the queue.
   *
   * @throws QueueException the claim thread could not be started; the queue is shut down
   */
  void start() {
    if (base.mode() != BaseQueue.Mode.STORED) {
      return;
    }
    try {
      loop.start();
    } catch (RuntimeException | Error e) {
      QueueException failure = new QueueException("queue \"" + name + "\": its claim thread "
          + "could not be started (" + e + "); the queue was shut down", e);
      try {
        shutdown();
      } catch (RuntimeException | Error shutdownFailure) {
        failure.addSuppressed(shutdownFailure);
      }
      throw failure;
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String type() {
    return settings.type();
  }

  @Override
  public boolean unique() {
    return base.unique();
  }

  @Override
  public Class<T> itemType() {
    return itemType;
  }

  @Override
  public QueueSettings settings() {
    return settings;
  }

  private Item item(T value) {
    if (value == null) {
      // refused here, at the caller: stored, a null would decode to nothing and end as a dead letter
      throw new NullPointerException("queue \"" + name + "\": an item must not be null");
    }
    byte[] payload = codec.encode(value);
    return new Item(payload, identity == null ? payload : identity.apply(value));
  }

  private void checkOpen() {
    if (shutdownStarted.get()) {
      throw new QueueClosedException(name);
    }
  }

  /** Open, and its claim loop still runs: an item pushed now will be handled. */
  private void checkAccepting() {
    checkOpen();
    Throwable failure = loop.failure();
    if (failure != null) {
      throw new QueueUnavailableException(claimingStopped(failure)
          + "; items pushed now would never be handled, so pushes are refused until the queue is "
          + "recreated", failure);
    }
  }

  /** Why health() and pushes report this queue: its claim loop ended with {@code failure}. */
  private String claimingStopped(Throwable failure) {
    return "queue \"" + name + "\" stopped claiming: its claim loop failed with " + failure;
  }

  /** The consumers the backend sees ({@link BaseQueue#consumers()}), for health. */
  Optional<QueueHealth.Consumers> consumers() {
    return base.mode() == BaseQueue.Mode.STORED ? base.consumers() : Optional.empty();
  }

  /**
   * What is wrong with the queue beyond its store's answers (health), if anything: its claim loop
   * ended, or no worker thread can be started now (the batches it claimed wait until one can).
   */
  Optional<String> problem() {
    Throwable failure = loop.failure();
    if (failure != null) {
      return Optional.of(claimingStopped(failure));
    }
    Throwable start = workers.startFailure();
    return start == null ? Optional.empty() : Optional.of("queue \"" + name + "\" cannot start "
        + "a worker thread: " + start + "; the batches it claimed wait until one starts");
  }

  @Override
  public PushResult push(T value) {
    return push(value, settings.pushTimeout());
  }

  @Override
  public PushResult push(T value, Duration timeout) {
    checkAccepting();
    Item item = item(value);
    if (immediate != null) {
      return pushed(immediate.handle(value, item));
    }
    try {
      return pushed(base.push(item, timeout));
    } catch (QueueFullException e) {
      pushFull(1);
      throw e;
    }
  }

  @Override
  public PushResult offer(T value) {
    checkAccepting();
    Item item = item(value);
    if (immediate != null) {
      return pushed(immediate.handle(value, item));
    }
    return pushed(base.offer(item));
  }

  @Override
  public List<PushResult> pushAll(List<? extends T> values, Duration timeout) {
    checkAccepting();
    List<Item> items = new ArrayList<>(values.size());
    for (int i = 0; i < values.size(); i++) {
      T v = values.get(i);
      if (v == null) {
        // every item is checked before any is stored: a batch with a null stores nothing
        throw new NullPointerException("queue \"" + name + "\": item " + i + " of " + values.size()
            + " given to pushAll is null; nothing was pushed");
      }
      items.add(item(v));
    }
    List<PushResult> results;
    if (immediate != null) {
      results = immediate.handleAll(values, items);
    } else {
      try {
        results = base.pushAll(items, timeout);
      } catch (QueueFullException e) {
        // the items admitted before the timeout stay admitted; the rest were not stored
        if (!listeners.isEmpty()) {
          e.results().forEach(this::pushed);
          pushFull(items.size() - e.results().size());
        }
        throw e;
      }
    }
    if (!listeners.isEmpty()) {
      results.forEach(this::pushed);
    }
    return results;
  }

  @Override
  public PushResult pushDelayed(T value, Duration delay) {
    checkAccepting();
    Item item = item(value);
    if (immediate != null) {
      return pushed(immediate.handle(value, item));
    }
    try {
      return pushed(base.push(item, delay, settings.pushTimeout()));
    } catch (QueueFullException e) {
      pushFull(1);
      throw e;
    }
  }

  @Override
  public boolean has(T value) {
    checkOpen();
    if (!base.unique()) {
      return false;
    }
    return base.has(item(value).identity());
  }

  @Override
  public long len() {
    checkOpen();
    return base.len();
  }

  @Override
  public boolean flush(Duration timeout) {
    if (base.mode() != BaseQueue.Mode.STORED) {
      return true;
    }
    checkOpen();
    // deadline - now stays exact across an overflow of the sum
    long deadline = System.nanoTime()
        + Nanos.ofNonNegative(timeout);
    loop.flushStarted();
    flushing.incrementAndGet();
    try {
      while (true) {
        StoreStats s;
        try {
          s = base.stats();
        } catch (QueueUnavailableException e) {
          // a store that does not answer now may answer before the deadline: a drain waits it
          // out rather than failing at the first blip
          if (deadline - System.nanoTime() <= 0) {
            log.warn("queue \"{}\": flush timed out after {}: the store did not answer ({})",
                name, GoDuration.format(timeout), e.getMessage());
            return false;
          }
          awaitProgress(deadline);
          continue;
        }
        // fresher than what stats() may hold: a stats() right after flush() must not show items
        // in flight that were handled meanwhile
        storeStats.put(Boolean.TRUE, new StoreAnswer(s, null));
        if (s.ready() == 0 && s.delayed() == 0 && s.inFlight() == 0 && loop.held() == 0) {
          return true;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          log.warn("queue \"{}\": flush timed out after {} with {} ready, {} delayed, {} in flight "
              + "({} held by this process)", name, GoDuration.format(timeout), s.ready(),
              s.delayed(), s.inFlight(), loop.held());
          return false;
        }
        awaitProgress(deadline);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueInterruptedException(name, e);
    } finally {
      flushing.decrementAndGet();
      loop.flushEnded();
    }
  }

  /** A flush's wait for progress, at most until the next recheck or the deadline. */
  private void awaitProgress(long deadline) throws InterruptedException {
    long left = Math.max(0, deadline - System.nanoTime());
    synchronized (progress) {
      TimeUnit.NANOSECONDS.timedWait(progress, Math.min(left, FLUSH_RECHECK_NANOS));
    }
  }

  /** Wakes flushes to look at the store again; free when nobody flushes (the common case). */
  private void notifyProgress() {
    if (flushing.get() == 0) {
      return;
    }
    synchronized (progress) {
      progress.notifyAll();
    }
  }

  @Override
  public void setMaxWorkers(int maxWorkers) {
    if (maxWorkers < 1) {
      throw new QueueConfigException("queue \"" + name + "\": MAX_WORKERS=" + maxWorkers
          + " must be at least 1");
    }
    workers.setMaxWorkers(maxWorkers);
    loop.maxWorkersChanged();
  }

  @Override
  public int maxWorkers() {
    return workers.maxWorkers();
  }

  @Override
  public int workers() {
    return workers.workers();
  }

  @Override
  public int activeWorkers() {
    return workers.active();
  }

  /** Workers ever started. */
  int workersStarted() {
    return workers.started();
  }

  @Override
  public void pause() {
    loop.pause();
  }

  @Override
  public void resume() {
    loop.resume();
  }

  @Override
  public boolean paused() {
    return loop.paused();
  }

  @Override
  public long removeAll() {
    checkOpen();
    long n = base.removeAll();
    storeStats.invalidateAll();
    return n;
  }

  @Override
  public QueueStats stats() {
    StoreStats s;
    if (shutdownStarted.get()) {
      s = new StoreStats(0, 0, 0, 0, 0, Optional.empty());
    } else {
      StoreAnswer answer = storeStats.get(Boolean.TRUE);
      if (answer.failure() != null) {
        throw storeFailed(answer.failure());
      }
      s = answer.stats();
    }
    Instant now = clock.instant();
    Optional<Duration> age = s.oldestWaiting().map(t -> {
      Duration d = Duration.between(t, now);
      return d.isNegative() ? Duration.ZERO : d;
    });
    QueueStats.ProcessCounts c = processCounts();
    return new QueueStats(name, type(), itemType.getName(), unique(), workers.workers(),
        workers.active(), workers.maxWorkers(), loop.paused(), s.ready(), s.delayed(),
        s.inFlight(), s.dead(), s.deadDropped(), age, c.handled(), c.unhandled(),
        c.deadLettered(), c.recovered(), c.merged(), c.stale());
  }

  @Override
  public QueueStats.ProcessCounts processCounts() {
    return new QueueStats.ProcessCounts(counters.handled.sum(), counters.unhandled.sum(),
        counters.deadLettered.sum(), counters.recovered.sum(), counters.merged.sum(),
        counters.stale.sum());
  }

  @Override
  public void addListener(QueueListener<? super T> listener) {
    listeners.add(listener);
  }

  @Override
  public boolean removeListener(QueueListener<? super T> listener) {
    return listeners.remove(listener);
  }

  @Override
  public List<DeadLetterEntry<T>> deadLetters(int offset, int limit) {
    checkOpen();
    return base.listDead(offset, limit).stream().map(d -> DeadLetterEntry.of(d, codec)).toList();
  }

  @Override
  public List<DeadLetterEntry<T>> deadLetters(Collection<Long> ids) {
    checkOpen();
    return base.findDead(ids).stream().map(d -> DeadLetterEntry.of(d, codec)).toList();
  }

  @Override
  public long replayDead(Collection<Long> ids) {
    checkOpen();
    long n = base.replayDead(ids);
    storeStats.invalidateAll(); // the dead and ready figures just moved: stats() must not show the old ones
    return n;
  }

  @Override
  public long replayAllDead() {
    checkOpen();
    long n = base.replayAllDead();
    storeStats.invalidateAll(); // the dead and ready figures just moved: stats() must not show the old ones
    return n;
  }

  @Override
  public long purgeDead(Collection<Long> ids) {
    checkOpen();
    long n = base.purgeDead(ids);
    storeStats.invalidateAll(); // the dead and ready figures just moved: stats() must not show the old ones
    return n;
  }

  @Override
  public long purgeAllDead() {
    checkOpen();
    long n = base.purgeAllDead();
    storeStats.invalidateAll(); // the dead and ready figures just moved: stats() must not show the old ones
    return n;
  }

  /**
   * The shutdown sequence of docs/DESIGN.md §4.4: stop claiming; give running handlers SHUTDOWN_TIMEOUT;
   * interrupt those still running; unclaim every delivery not settled, started or not, in claim
   * order (no count changes), retried while the store fails within what is left of
   * SHUTDOWN_TIMEOUT; give settle calls the store failed earlier a last attempt; close the store.
   */
  @Override
  public void shutdown() {
    if (!shutdownStarted.compareAndSet(false, true)) {
      awaitShutdown();
      return;
    }
    List<Delivery> giveBack = new ArrayList<>();
    boolean interrupted = false;
    try {
      giveBack.addAll(loop.stop());
      for (Batch b : workers.stop()) {
        if (b.claimSettlement()) {
          giveBack.addAll(b.deliveries);
        }
      }
      // deadline - now stays exact across an overflow of the sum
      long deadline = System.nanoTime() + Nanos.of(settings.shutdownTimeout());
      try {
        workers.awaitExit(deadline);
      } catch (InterruptedException e) {
        interrupted = true;
      }
      for (Batch b : workers.running()) {
        if (b.claimSettlement()) {
          log.warn("queue \"{}\": handler still running after SHUTDOWN_TIMEOUT={}; interrupting "
              + "it and giving its {} items back", name, GoDuration.format(settings.shutdownTimeout()),
              b.size());
          giveBack.addAll(b.deliveries);
          b.interruptRunner();
        }
      }
      if (!giveBack.isEmpty()) {
        interrupted |= giveBack(giveBack, deadline);
      }
      // Settle calls the store failed and that wait for a retry: one last attempt while it is open.
      runner.finishSettlements();
    } finally {
      loop.leaveRecoveredLane(); // every recovered batch here has finished or been given back
      try {
        base.close();
      } finally {
        shutdownDone.countDown();
        onShutdown.run();
        notifyProgress();
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /**
   * Shutdown's give-back: one unclaim of every delivery not settled, in claim order, retried with
   * backoff (as any settle call, {@link Settlement}) while the store fails and SHUTDOWN_TIMEOUT's
   * budget lasts, then given one last attempt; deliveries still not given back stay in flight,
   * logged, for the store's recovery (one more recovery counted for each).
   *
   * @return true if the wait was interrupted (the caller restores the flag)
   */
  private boolean giveBack(List<Delivery> giveBack, long deadline) {
    giveBack.sort(Comparator.comparingLong(Delivery::id));
    List<Delivery> back = List.copyOf(giveBack);
    Settlement settlement = new Settlement(name, new Batch(back, false), scheduler,
        new AtomicBoolean(), n -> { }, () -> { });
    settlement.arm(() -> List.of(new Settlement.Step(back.size(), () -> {
      for (Outcome o : base.unclaim(back)) {
        if (o == Outcome.MERGED) {
          counters.merged.increment();
        }
      }
    })));
    boolean interrupted = false;
    try {
      settlement.start();
      settlement.awaitDone(deadline);
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      // Not done by the deadline: one last attempt, else logged as left for the store's recovery.
      settlement.finishNow("the store kept failing to take them back at shutdown until "
          + "SHUTDOWN_TIMEOUT=" + GoDuration.format(settings.shutdownTimeout()) + " ran out; a "
          + "persistent store returns them to the queue when it recovers them, one recovery "
          + "counted each");
    }
    return interrupted;
  }

  private void awaitShutdown() {
    try {
      shutdownDone.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    shutdown();
  }

  @Override
  public String toString() {
    return "WorkerPoolQueue[" + name + ", " + type() + (unique() ? ", unique" : "") + "]";
  }
}
