package io.queuekit.spi;

import io.queuekit.QueueSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Everything a backend needs to open one named queue.
 *
 * @param name the queue's name ({@code issue_indexer})
 * @param settings the queue's resolved settings
 * @param unique whether this is the unique flavour
 * @param clock the queue's clock: every stored time comes from it
 * @param scheduler the manager's scheduler, for timers that never run handlers (heartbeats, reaper,
 *     promoter); backends must not block it
 * @param dataPath the manager's data path; relative {@code DATADIR}s resolve against it
 * @param events where the store reports the dead letters it makes by itself (quarantine, entries
 *     it cannot parse); {@link StoreEvents#NONE} when nobody listens
 * @param open whether the store may be created ({@link Open#CREATE}, what services do) or must
 *     already exist ({@link Open#EXISTING}, what tools that look at a store do)
 */
public record BaseQueueConfig(
    String name,
    QueueSettings settings,
    boolean unique,
    Clock clock,
    ScheduledExecutorService scheduler,
    Path dataPath,
    StoreEvents events,
    Open open) {
  public BaseQueueConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(dataPath, "dataPath");
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(open, "open");
  }

  /** A config that creates its store when absent ({@link Open#CREATE}). */
  public BaseQueueConfig(String name, QueueSettings settings, boolean unique, Clock clock,
      ScheduledExecutorService scheduler, Path dataPath, StoreEvents events) {
    this(name, settings, unique, clock, scheduler, dataPath, events, Open.CREATE);
  }

  /** A config whose store reports to nobody ({@link StoreEvents#NONE}): tools and tests. */
  public BaseQueueConfig(String name, QueueSettings settings, boolean unique, Clock clock,
      ScheduledExecutorService scheduler, Path dataPath) {
    this(name, settings, unique, clock, scheduler, dataPath, StoreEvents.NONE);
  }

  /**
   * How {@link BaseQueueFactory#create} treats a queue whose store does not exist yet. A store
   * (a LevelDB directory and the queue's keys in it, a Redis queue's keys, a PostgreSQL schema
   * and the queue's row) records the queue's flavour when it is first created, and refuses the
   * other flavour from then on; so a tool that merely looks must not be the one that creates it.
   *
   * <p>In-memory backends ({@code channel}, {@code dummy}, {@code immediate}) have no store
   * outside the process and treat both alike.
   *
   * <p><b>Thread-safety and races:</b> an {@code EXISTING} open racing a service's first {@code
   * CREATE} open is decided by the backend's one open step (LevelDB: the directory lock held by
   * one process; Redis: the open script; PostgreSQL: the queue's row), so it either finds the
   * store as created, or finds nothing and writes nothing. <b>Durability:</b> {@code EXISTING}
   * changes nothing about what an open store keeps; opening an existing LevelDB directory still
   * writes LevelDB's own files (its log and manifest), as any open does.
   */
  public enum Open {
    /**
     * Create the store when absent, recording {@link BaseQueueConfig#unique()}; open it when
     * present if it was created as that flavour. What a service does (the default).
     */
    CREATE,
    /**
     * Open only a store that exists, as the flavour it was created with: {@link
     * BaseQueueConfig#unique()} is not used and {@link BaseQueue#unique()} tells the stored one.
     * When the store (or the queue in it) is absent, {@code create} throws {@link
     * StoreNotFoundException} and writes nothing anywhere: no directory, key, schema or row.
     * An existing store is opened as with {@link #CREATE} (a LevelDB queue is recovered and
     * repaired at open, as always). A store whose record of the flavour is missing or damaged is
     * refused (a {@link io.queuekit.QueueConfigException}): its flavour cannot be known.
     */
    EXISTING
  }

  /** Storage name of the queue: {@code name + QUEUE_NAME}, e.g. {@code mail_queue}. */
  public String queueFullName() {
    return settings.queueFullName(name);
  }

  /** Storage name of the unique set: {@code queueFullName + SET_NAME}. */
  public String setFullName() {
    return settings.setFullName(name);
  }
}
