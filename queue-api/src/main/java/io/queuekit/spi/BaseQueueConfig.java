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
 */
public record BaseQueueConfig(
    String name,
    QueueSettings settings,
    boolean unique,
    Clock clock,
    ScheduledExecutorService scheduler,
    Path dataPath,
    StoreEvents events) {
  public BaseQueueConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(dataPath, "dataPath");
    Objects.requireNonNull(events, "events");
  }

  /** A config whose store reports to nobody ({@link StoreEvents#NONE}): tools and tests. */
  public BaseQueueConfig(String name, QueueSettings settings, boolean unique, Clock clock,
      ScheduledExecutorService scheduler, Path dataPath) {
    this(name, settings, unique, clock, scheduler, dataPath, StoreEvents.NONE);
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
