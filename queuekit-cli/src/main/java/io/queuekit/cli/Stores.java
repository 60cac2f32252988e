package io.queuekit.cli;

import io.queuekit.QueueConfig;
import io.queuekit.QueueSettings;
import io.queuekit.ini.Finding;
import io.queuekit.ini.IniQueueConfig;
import io.queuekit.level.LevelQueueFactory;
import io.queuekit.redis.RedisQueueFactory;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueueFactory;
import io.queuekit.spi.BaseQueues;
import io.queuekit.spi.StoreEvents;
import io.queuekit.spi.StoreNotFoundException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The stores a configuration names, opened from outside the service that uses them: settings
 * from the INI file exactly as {@code QueueManager.Builder.ini} reads them, stores through the
 * same {@link BaseQueues} registry. A store opened here never claims, so it never registers as a
 * consumer; LevelDB refuses it while a running process holds the directory, and the CLI refuses a
 * directory another user owns ({@link LevelDbOwner}). It is opened with
 * {@link BaseQueueConfig.Open#EXISTING}: never created, and as the flavour it recorded.
 *
 * <p><b>Thread-safety:</b> one command at a time. {@link #close()} closes every store it opened.
 */
final class Stores implements AutoCloseable {

  /** Types whose items live in a service's memory: nothing on disk or a server for us to open. */
  private static final Set<String> IN_PROCESS = Set.of("channel", "dummy", "immediate");

  private final QueueConfig config;
  private final Set<String> configured;
  private final Path dataPath;
  private final PrintWriter err;
  private final BaseQueues backends = backends();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "queuekit-cli");
    t.setDaemon(true);
    return t;
  });
  private final List<BaseQueue> opened = new ArrayList<>();
  private final LevelDbOwner owner;

  Stores(Path iniFile, Path dataPath, PrintWriter err, LevelDbOwner owner) {
    if (iniFile == null) {
      this.config = QueueConfig.defaults();
      this.configured = Set.of();
    } else {
      IniQueueConfig ini = IniQueueConfig.load(iniFile);
      this.config = ini;
      this.configured = new LinkedHashSet<>(ini.configuredQueues());
      // the CLI's logging leaves IniQueueConfig's out (simplelogger.properties), so that an error
      // is said once, by the exception; its warnings are said here
      for (Finding f : ini.findings()) {
        err.println("queuekit: warning: " + f);
      }
      err.flush();
    }
    this.dataPath = dataPath;
    this.err = err;
    this.owner = owner;
  }

  /**
   * The installed backends, Redis's {@linkplain RedisQueueFactory#tryingOnce trying each server
   * once}: an operator paged during an outage needs the answer now, and Gitea's start-up policy
   * (10 attempts 1 s apart, per queue, one queue after the other) took 37 s for four queues on a
   * dead server. The factory is this command's own, so nothing it remembers outlives it.
   */
  private static BaseQueues backends() {
    List<BaseQueueFactory> factories = new ArrayList<>();
    for (BaseQueueFactory f : ServiceLoader.load(BaseQueueFactory.class, Stores.class.getClassLoader())) {
      factories.add(f instanceof RedisQueueFactory ? RedisQueueFactory.tryingOnce() : f);
    }
    return BaseQueues.of(factories);
  }

  /** The queues with a {@code [queue.NAME]} section. */
  Set<String> configured() {
    return configured;
  }

  QueueSettings settings(String queue) {
    return config.settings(queue);
  }

  /**
   * Opens {@code queue}'s existing store, as the flavour (simple or unique) it was created with:
   * a store is never created here, since the first open records the flavour and looking at a
   * queue before its service first starts must not decide it.
   *
   * @throws NotFromOutside the queue's items live in a service's memory
   * @throws LevelDbOwner.NotTheOwner its LevelDB directory is another user's (nothing was opened)
   * @throws io.queuekit.spi.StoreNotFoundException the queue has no store where the
   *     configuration says (nothing was created)
   */
  BaseQueue open(String queue) {
    QueueSettings settings = config.settings(queue);
    if (IN_PROCESS.contains(settings.type())) {
      // dummy keeps nothing and immediate hands items straight to the handler: neither holds any
      throw new NotFromOutside("queue \"" + queue + "\" is TYPE=" + settings.type()
          + (settings.type().equals("channel") ? ": its items live in the service's memory; use "
              + "the service's admin page (queue-admin)" : ": it keeps no items (not in the "
              + "service's memory either); the service's admin page (queue-admin) shows its figures"));
    }
    if (backends.find(settings.type()).orElse(null) instanceof LevelQueueFactory) {
      // before the open: LevelDB rewrites its files as whoever opens it
      owner.check(queue, LevelQueueFactory.directory(queue, settings, dataPath));
    }
    StoreEvents events = new StoreEvents() {
      @Override
      public void deadLettered(io.queuekit.spi.DeadLetter dead) {
        err.println("queuekit: queue \"" + queue + "\": dead-lettered on open: " + dead.reason());
        err.flush();
      }
    };
    // unique is not used with EXISTING: the store's flavour is
    BaseQueueConfig c = new BaseQueueConfig(queue, settings, false, Clock.systemUTC(), scheduler, dataPath, events,
        BaseQueueConfig.Open.EXISTING);
    BaseQueue store;
    try {
      store = backends.create(settings.type(), c);
    } catch (StoreNotFoundException e) {
      if (configured.isEmpty() || configured.contains(queue)) {
        throw e;
      }
      // a mistyped name is read with [queue]'s defaults and looked for there: say so
      throw new StoreNotFoundException(e.getMessage() + "; the configuration has no [queue." + queue
          + "] section (it has " + String.join(", ", configured) + ")");
    }
    opened.add(store);
    return store;
  }

  @Override
  public void close() {
    for (BaseQueue q : opened) {
      try {
        q.close();
      } catch (RuntimeException e) {
        // the command's result stands; say that this store did not close cleanly
        err.println("queuekit: closing queue \"" + q.name() + "\" failed: " + e.getMessage());
      }
    }
    scheduler.shutdownNow();
  }

  /** An operation only the running service can do (its state is in its memory). */
  static final class NotFromOutside extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotFromOutside(String message) {
      super(message);
    }
  }
}
