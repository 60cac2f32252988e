package io.queuekit;

import io.queuekit.ini.IniQueueConfig;
import io.queuekit.jmx.QueueMBeans;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueues;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry of a service's named queues (not a global singleton: a service holds one, tests
 * make their own). It creates queues from their settings, refuses duplicate names, and offers the
 * admin operations by name: flush all, set max workers, pause/resume, remove all, dead-letter
 * list/replay/purge, and health. Ports Gitea's {@code manager.go}.
 *
 * <pre>{@code
 * try (QueueManager queues = QueueManager.builder().dataPath(Path.of("data")).build()) {
 *   WorkerPoolQueue<Mail> mail = queues.createSimple("mail", Mail.class, batch -> {
 *     sender.send(batch);
 *     return List.of();
 *   });
 *   mail.push(new Mail("to@example.com", "hello"));
 * }
 * }</pre>
 *
 * <p><b>Threads:</b> one scheduler per manager (timers: handler timeouts, backend heartbeats,
 * reapers, promoters), injectable; each queue has one claim thread and its workers. The clock is
 * injectable too, so tests control every stored time.
 *
 * <p><b>Thread-safety:</b> thread-safe.
 */
public final class QueueManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QueueManager.class);

  private final QueueConfig config;
  private final Path dataPath;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final BaseQueues backends;
  private final Duration claimWait;
  /** Makes the queues' claim and worker threads and close()'s shutdown threads. */
  private final ThreadFactory threads;
  private final HealthWatch healthWatch;
  /** At most one recovered delivery runs at a time across this manager's queues. */
  private final RecoveredLane recoveredLane = new RecoveredLane();
  private final Map<String, WorkerPoolQueue<?>> queues = new LinkedHashMap<>(); // guarded by this
  private final List<OrderedWatcher> watchers = new java.util.ArrayList<>(); // guarded by this
  private final Set<String> opening = new HashSet<>(); // guarded by this
  private boolean closed; // guarded by this

  private QueueManager(Builder b) {
    this.config = b.config;
    this.dataPath = b.dataPath.toAbsolutePath();
    this.clock = b.clock;
    this.ownsScheduler = b.scheduler == null;
    this.scheduler = b.scheduler != null ? b.scheduler : newScheduler();
    this.backends = b.backends != null ? b.backends : BaseQueues.load();
    this.claimWait = b.claimWait;
    this.threads = b.threads;
    this.healthWatch = new HealthWatch(clock, b.deadLetterGrowthWindow, this::holds);
    if (b.jmx != null) {
      watch(new QueueMBeans(b.jmx));
    }
  }

  private static ScheduledExecutorService newScheduler() {
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "queuekit-scheduler");
      t.setDaemon(true);
      return t;
    });
    s.setRemoveOnCancelPolicy(true);
    return Executors.unconfigurableScheduledExecutorService(s);
  }

  /** A builder with the built-in defaults: data path {@code data}, system UTC clock. */
  public static Builder builder() {
    return new Builder();
  }

  /** The settings this manager gives the queue {@code name}. */
  public QueueSettings settings(String name) {
    return config.settings(name);
  }

  /** The manager's data path; relative {@code DATADIR}s resolve against it. */
  public Path dataPath() {
    return dataPath;
  }

  /** Creates a simple queue named {@code name} with the manager's settings for it. */
  public <T> WorkerPoolQueue<T> createSimple(String name, Class<T> itemType, Handler<T> handler) {
    return create(QueueSpec.simple(name, itemType, handler));
  }

  /** Creates a unique queue named {@code name} with the manager's settings for it. */
  public <T> WorkerPoolQueue<T> createUnique(String name, Class<T> itemType, Handler<T> handler) {
    return create(QueueSpec.unique(name, itemType, handler));
  }

  /**
   * Creates and starts the queue {@code spec} describes.
   *
   * @throws QueueConfigException a queue with this name exists, or its settings are unusable
   * @throws QueueUnavailableException its store cannot be opened
   * @throws QueueException its claim thread could not be started (the queue is closed again)
   */
  public <T> WorkerPoolQueue<T> create(QueueSpec<T> spec) {
    String name = spec.name();
    QueueSettings settings = spec.settings().orElseGet(() -> config.settings(name));
    synchronized (this) {
      if (closed) {
        throw QueueClosedException.managerClosed();
      }
      if (queues.containsKey(name) || opening.contains(name)) {
        throw new QueueConfigException("queue \"" + name + "\" already exists in this manager");
      }
      opening.add(name);
    }
    // Opening a store may take seconds (a locked LevelDB, a Redis still starting): not under the lock.
    DefaultWorkerPoolQueue<T> q;
    StoreEventRelay events = new StoreEventRelay();
    try {
      BaseQueue base = backends.create(settings.type(),
          new BaseQueueConfig(name, settings, spec.unique(), clock, scheduler, dataPath, events));
      try {
        q = new DefaultWorkerPoolQueue<>(spec, settings, base, clock, scheduler, claimWait,
            recoveredLane, () -> forget(name), threads);
      } catch (RuntimeException | Error e) {
        // no queue owns the store yet: left open, it would hold its connections, or a LevelDB's
        // lock that keeps the next create of this name from opening it
        try {
          base.close();
        } catch (RuntimeException | Error c) {
          e.addSuppressed(c);
        }
        throw e;
      }
    } finally {
      synchronized (this) {
        opening.remove(name);
      }
    }
    boolean managerClosed;
    List<OrderedWatcher> told;
    synchronized (this) {
      managerClosed = closed;
      if (!managerClosed) {
        queues.put(name, q);
      }
      // taken with the put: a watcher added later finds the queue in watch()'s own look, so each
      // watcher hears of it once (taken after the lock, a watch() in between heard it twice and
      // a metrics binder counted the queue's items twice)
      told = List.copyOf(watchers);
    }
    if (managerClosed) {
      events.attach(q::storeDeadLettered);
      q.shutdown();
      throw QueueClosedException.managerClosed();
    }
    // Watchers first, so the listeners a metrics binder adds hear the store's dead letters made
    // at open (held by the relay until attach) and every item from the first claim on.
    try {
      for (OrderedWatcher w : told) {
        w.created(q, this::holds); // a close() racing this create may have forgotten it already
      }
    } catch (RuntimeException | Error e) {
      events.attach(q::storeDeadLettered);
      q.shutdown(); // forgets it: the watchers told so far hear it closed
      throw e;
    }
    events.attach(q::storeDeadLettered);
    q.start(); // a claim thread that cannot start shuts the queue down (forgotten) and throws
    log.debug("queue \"{}\" created: {}", name, settings);
    return q;
  }

  private void forget(String name) {
    WorkerPoolQueue<?> gone;
    List<OrderedWatcher> told;
    synchronized (this) {
      gone = queues.remove(name);
      // with the remove, as in create: a watcher added later never heard of the queue
      told = List.copyOf(watchers);
    }
    if (gone != null) {
      healthWatch.forget(gone);
      for (OrderedWatcher w : told) {
        try {
          w.closed(gone);
        } catch (RuntimeException e) {
          // one watcher's failure must neither fail the queue's shutdown nor keep the others
          // from hearing it closed (they would keep its meters, its MBean)
          log.warn("queue \"{}\": a queue watcher failed on its close: {}", name, e.toString(), e);
        }
      }
    }
  }

  /**
   * Tells {@code watcher} of every queue this manager holds now, then of each created or closed
   * later (a metrics binder, an admin view). A queue created later is told before it starts
   * claiming; a watcher that throws then fails that {@link #create} (the queue is shut down).
   */
  public void watch(QueueWatcher watcher) {
    OrderedWatcher ordered = new OrderedWatcher(watcher);
    List<WorkerPoolQueue<?>> now;
    synchronized (this) {
      watchers.add(ordered);
      now = List.copyOf(queues.values());
    }
    for (WorkerPoolQueue<?> q : now) {
      ordered.created(q, this::holds);
    }
  }

  private synchronized boolean holds(WorkerPoolQueue<?> queue) {
    return queues.get(queue.name()) == queue;
  }

  /** The queue named {@code name}, if this manager runs it. */
  public synchronized Optional<WorkerPoolQueue<?>> queue(String name) {
    return Optional.ofNullable(queues.get(name));
  }

  /** Every queue, in creation order. */
  public synchronized List<WorkerPoolQueue<?>> queues() {
    return List.copyOf(queues.values());
  }

  private WorkerPoolQueue<?> require(String name) {
    return queue(name).orElseThrow(() -> new QueueConfigException("no queue named \"" + name
        + "\" in this manager; queues: " + String.join(", ", names())));
  }

  private synchronized List<String> names() {
    return List.copyOf(queues.keySet());
  }

  /**
   * Flushes every queue concurrently against one shared deadline.
   *
   * @return true when every queue drained in time
   */
  public boolean flushAll(Duration timeout) {
    List<CompletableFuture<Boolean>> flushes = new ArrayList<>();
    for (WorkerPoolQueue<?> q : queues()) {
      flushes.add(CompletableFuture.supplyAsync(() -> q.flush(timeout), runnable -> {
        Thread t = new Thread(runnable, "queuekit-" + q.name() + "-flush");
        t.setDaemon(true);
        t.start();
      }));
    }
    boolean all = true;
    for (CompletableFuture<Boolean> f : flushes) {
      try {
        all &= f.join();
      } catch (java.util.concurrent.CompletionException e) {
        // the queue's own exception (a queue shut down meanwhile), not the future's wrapper
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw e;
      }
    }
    return all;
  }

  /** Sets the named queue's worker cap. */
  public void setMaxWorkers(String name, int maxWorkers) {
    require(name).setMaxWorkers(maxWorkers);
  }

  /** Stops the named queue claiming; pushes go on. */
  public void pause(String name) {
    require(name).pause();
  }

  /** Resumes claiming. */
  public void resume(String name) {
    require(name).resume();
  }

  /** Deletes every waiting item of the named queue. */
  public long removeAll(String name) {
    return require(name).removeAll();
  }

  /** The named queue's stats. */
  public QueueStats stats(String name) {
    return require(name).stats();
  }

  /** The named queue's dead letters, newest first. */
  public List<? extends DeadLetterEntry<?>> deadLetters(String name, int offset, int limit) {
    return require(name).deadLetters(offset, limit);
  }

  /** Replays the named queue's dead letters with these ids. */
  public long replayDead(String name, Collection<Long> ids) {
    return require(name).replayDead(ids);
  }

  /** Replays every dead letter of the named queue. */
  public long replayAllDead(String name) {
    return require(name).replayAllDead();
  }

  /** Purges the named queue's dead letters with these ids. */
  public long purgeDead(String name, Collection<Long> ids) {
    return require(name).purgeDead(ids);
  }

  /** Purges every dead letter of the named queue. */
  public long purgeAllDead(String name) {
    return require(name).purgeAllDead();
  }

  /**
   * Checks every queue: its store answers (and since when it has not, as first seen by a check),
   * its claim loop still runs (one ended by a fatal error leaves the queue refusing pushes), its
   * oldest waiting item is younger than {@code maxWaitingAge}, and its dead letters have not
   * grown within the builder's {@link Builder#deadLetterGrowthWindow} (a warning: {@link
   * QueueHealth.Status#DEGRADED}, still healthy). Growth is seen between checks, so it needs
   * checks at least that often (a readiness probe's).
   */
  public QueueHealth health(Duration maxWaitingAge) {
    List<QueueHealth.Queue> out = new ArrayList<>();
    for (WorkerPoolQueue<?> q : queues()) {
      out.add(healthWatch.check(q, maxWaitingAge));
    }
    return new QueueHealth(out.stream().allMatch(QueueHealth.Queue::healthy), out);
  }

  /**
   * The named queue's part of {@link #health(Duration)}, checking that queue alone (and keeping
   * its history, such as since when its store has not answered): for one queue's view, which must
   * not wait on the other queues' stores.
   *
   * @throws QueueConfigException there is no queue of that name
   */
  public QueueHealth.Queue health(String name, Duration maxWaitingAge) {
    return healthWatch.check(require(name), maxWaitingAge);
  }

  /**
   * One queue's health without history: its store answers, its claiming runs, its oldest item is
   * young enough.
   */
  static QueueHealth.Queue health(WorkerPoolQueue<?> q, Duration maxWaitingAge) {
    return HealthWatch.stateless(q, maxWaitingAge);
  }

  /**
   * Shuts every queue down (concurrently, each with its own {@code SHUTDOWN_TIMEOUT}), then the
   * scheduler if this manager made it. Idempotent.
   */
  @Override
  public void close() {
    List<WorkerPoolQueue<?>> all;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      all = List.copyOf(queues.values());
    }
    List<Thread> stoppers = new ArrayList<>();
    List<WorkerPoolQueue<?>> notStarted = new ArrayList<>();
    for (WorkerPoolQueue<?> q : all) {
      try {
        Thread t = NamedThreads.make(threads, q::shutdown, "queuekit-" + q.name() + "-shutdown");
        t.start();
        stoppers.add(t);
      } catch (RuntimeException | Error e) {
        // Thrown from here, it left this queue and the ones after it running for good: closed is
        // already set, so no later close() would shut them down.
        log.warn("queue \"{}\": could not start a thread to shut it down alongside the others "
            + "({}); shutting it down in this thread", q.name(), e.toString(), e);
        notStarted.add(q);
      }
    }
    boolean interrupted = false;
    for (WorkerPoolQueue<?> q : notStarted) {
      try {
        q.shutdown();
      } catch (RuntimeException e) {
        // one queue's failure must not keep the others (and the scheduler) from shutting down
        log.error("queue \"{}\": shutdown failed", q.name(), e);
      }
      interrupted |= Thread.interrupted();
    }
    for (Thread t : stoppers) {
      try {
        t.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (ownsScheduler) {
      scheduler.shutdownNow();
      try {
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Builds a {@link QueueManager}. Not thread-safe. */
  public static final class Builder {
    private QueueConfig config = QueueConfig.defaults();
    private Path dataPath = Path.of("data");
    private Clock clock = Clock.systemUTC();
    private ScheduledExecutorService scheduler;
    private BaseQueues backends;
    private Duration claimWait = Duration.ofSeconds(2);
    private javax.management.MBeanServer jmx;
    private Duration deadLetterGrowthWindow = Duration.ofMinutes(15);
    private ThreadFactory threads = Thread::new;

    private Builder() {}

    /**
     * The factory of the manager's threads: each queue's claim and worker threads (named and made
     * daemons once made) and close()'s shutdown threads (named). For tests, which pass one that
     * refuses to start some, as a JVM out of native threads does; the default is {@code
     * Thread::new}, what the manager did before.
     */
    Builder threadFactory(ThreadFactory threads) {
      this.threads = Objects.requireNonNull(threads, "threads");
      return this;
    }

    /** Where each queue's settings come from (default: built-in defaults for every queue). */
    public Builder config(QueueConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * Reads each queue's settings from an INI file the way Gitea does ({@code [queue]}, then
     * {@code [queue.NAME]}).
     *
     * @throws QueueConfigException the file holds removed options or bad values; each finding is
     *     logged with file and line, then one summary error is thrown
     */
    public Builder ini(Path iniFile) {
      return config(IniQueueConfig.load(iniFile));
    }

    /** Like {@link #ini(Path)}, from text; {@code sourceName} names it in messages. */
    public Builder ini(String text, String sourceName) {
      return config(IniQueueConfig.parse(text, sourceName));
    }

    /** The data path relative {@code DATADIR}s resolve against (Gitea's APP_DATA_PATH). */
    public Builder dataPath(Path dataPath) {
      this.dataPath = Objects.requireNonNull(dataPath, "dataPath");
      return this;
    }

    /**
     * The clock every stored time comes from. {@code BATCH_DEBOUNCE} and {@code
     * WORKER_IDLE_TIMEOUT} end when they have passed in real time or on this clock, whichever comes
     * first, so a test moving its clock past them needs no real waiting; with a clock other than
     * the system's, the pool reads it again every {@link #claimWait} to notice a move.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The scheduler for timers. The caller keeps ownership: {@link QueueManager#close()} does not
     * shut it down. By default the manager makes (and owns) one daemon thread.
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** The backends to use (default: those {@link java.util.ServiceLoader} finds). */
    public Builder backends(BaseQueues backends) {
      this.backends = Objects.requireNonNull(backends, "backends");
      return this;
    }

    /**
     * How long one claim blocks before the claim loop looks again (default 2s): bounds how late a
     * blocked claim, a partial batch or an idle worker notices a clock moved by hand, and what an
     * idle queue costs a remote store.
     */
    public Builder claimWait(Duration claimWait) {
      if (claimWait.isNegative() || claimWait.isZero()) {
        throw new QueueConfigException("claimWait must be positive, got " + claimWait);
      }
      this.claimWait = claimWait;
      return this;
    }

    /**
     * Registers an MXBean per queue ({@code io.queuekit:type=Queue,name=<queue>}) with {@code
     * server} while the queue runs: its stats as attributes; pause, resume, flush, removeAll and
     * dead-letter replay and purge as operations ({@link io.queuekit.jmx.QueueMXBean}). Off by
     * default. Creating a queue whose name another manager registered in {@code server} fails.
     */
    public Builder jmx(javax.management.MBeanServer server) {
      this.jmx = Objects.requireNonNull(server, "server");
      return this;
    }

    /**
     * How long {@link QueueManager#health} reports a queue whose dead letters grew as {@link
     * QueueHealth.Status#DEGRADED} (default 15 minutes).
     */
    public Builder deadLetterGrowthWindow(Duration window) {
      if (window.isNegative() || window.isZero()) {
        throw new QueueConfigException("deadLetterGrowthWindow must be positive, got " + window);
      }
      this.deadLetterGrowthWindow = window;
      return this;
    }

    public QueueManager build() {
      return new QueueManager(this);
    }
  }
}
