package io.queuekit.level;

import io.queuekit.QueueConfigException;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueueFactory;
import java.util.Map;
import java.util.Set;

/**
 * The LevelDB backend, {@code TYPE=level} (the default type; {@code leveldb}, {@code levelqueue}
 * and {@code persistable-channel} are its aliases), found by {@link java.util.ServiceLoader}.
 *
 * <p>Each queue lives in the LevelDB of its {@code DATADIR} (default {@code queues/common},
 * relative to the manager's data path) or of its {@code CONN_STR} ({@code leveldb://path?options},
 * with {@code engine=jni|java}); queues naming the same directory share one DB handle per process.
 * The native leveldbjni engine is used where its library loads, the pure-Java iq80 engine elsewhere.
 *
 * <p><b>Ordering, durability, recovery:</b> see the queue's documentation in this package: FIFO
 * claims; each operation is one atomic write batch (synced with {@code SYNC=true}); items in flight
 * when a process died go back to the head when the queue is next opened, and one in flight during
 * {@code MAX_RECOVERIES} crashes is dead-lettered as a suspected poison item.
 *
 * <p>One process per directory: LevelDB locks it, and a second process gets an error naming the
 * directory (use {@code TYPE=redis} to share queues between processes). A queue name may be open
 * once per process.
 *
 * <p><b>Thread-safety:</b> stateless; {@link #create} may be called from several threads at once.
 */
public final class LevelQueueFactory implements BaseQueueFactory {

  /** The {@code TYPE} this factory serves. */
  public static final String TYPE = "level";

  @Override
  public Set<String> types() {
    return Set.of(TYPE);
  }

  /** Gitea's documented aliases, read as {@code level} silently. */
  @Override
  public Map<String, String> aliases() {
    return Map.of("leveldb", TYPE, "levelqueue", TYPE);
  }

  /**
   * Gitea before 1.20: its LevelDB-backed and persistable queues. Gitea 1.20+ reads each as
   * {@code level} too, like any name it does not know; here each also warns.
   */
  @Override
  public Map<String, String> formerNames() {
    return Map.of("unique-level", TYPE, "persistable-channel", TYPE,
        "unique-persistable-channel", TYPE, "wrapped", TYPE);
  }

  @Override
  public Set<String> connStrSchemes() {
    return Set.of("leveldb");
  }

  /**
   * The directory {@code queue}'s LevelDB lives in for these settings, as {@link #create} reads it
   * ({@code CONN_STR}'s {@code leveldb://} path, else {@code DATADIR}; a relative one resolved
   * against {@code dataPath}), absolute and normalised. Nothing is opened, created or checked on
   * disk: for a tool that must look at the directory before a LevelDB open rewrites its files (the
   * {@code queuekit} CLI refuses one another user owns).
   *
   * @throws QueueConfigException a {@code CONN_STR} or {@code DATADIR} {@link #create} would refuse
   */
  public static java.nio.file.Path directory(String queue, io.queuekit.QueueSettings settings,
      java.nio.file.Path dataPath) {
    return LevelLocation.of(queue, settings, dataPath).directory();
  }

  /**
   * Opens the named queue, creating its directory and DB if missing; with {@link
   * io.queuekit.spi.BaseQueueConfig.Open#EXISTING}, only a queue already in an existing DB, as
   * the flavour its meta record holds (else {@link io.queuekit.spi.StoreNotFoundException},
   * nothing created).
   *
   * @throws QueueConfigException a {@code CONN_STR} that is not {@code leveldb://}, an unknown
   *     option, or a queue stored as the other flavour
   * @throws io.queuekit.QueueUnavailableException a directory that cannot be created, a DB locked
   *     by another process, corrupt beyond repair, or stored by a newer layout version
   * @throws io.queuekit.QueueException a queue of that storage name already open in this process
   */
  /** Reads the location as {@link #create} would: a {@code leveldb://} string must name a directory. */
  @Override
  public void validate(String type, String queue, io.queuekit.QueueSettings settings) {
    LevelLocation.of(queue, settings, java.nio.file.Path.of("."));
  }

  @Override
  public BaseQueue create(String type, BaseQueueConfig config) {
    if (!TYPE.equals(type)) {
      throw new QueueConfigException("queue \"" + config.name() + "\": the LevelDB backend serves "
          + "TYPE=" + TYPE + ", not " + type);
    }
    return LevelQueue.open(config);
  }
}
