package io.queuekit.level;

import io.queuekit.PushResult;
import io.queuekit.QueueClosedException;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueFullException;
import io.queuekit.QueueInterruptedException;
import io.queuekit.QueueSettings;
import io.queuekit.QueueUnavailableException;
import io.queuekit.internal.Digests;
import io.queuekit.internal.ItemSize;
import io.queuekit.internal.Nanos;
import io.queuekit.level.Records.Meta;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreStats;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link BaseQueue} stored in LevelDB ({@code TYPE=level}, the default): at-least-once, every
 * operation one atomic write batch, in-flight items recovered when the queue is next opened.
 *
 * <h2>Storage layout (version 2)</h2>
 *
 * Queues whose directories are the same share one DB; every key of a queue starts with its
 * storage name ({@code NAME + QUEUE_NAME}, e.g. {@code mail_queue}) behind a two-byte big-endian
 * length, so no queue's keys are a prefix of another's. Then one tag byte names the section. {@code
 * sortable(n)} is a 64-bit integer with its sign bit flipped, big-endian, so byte order is numeric
 * order; times are nanoseconds since the epoch of the queue's {@link Clock}.
 *
 * <pre>
 * key = u16 len(name) | name (UTF-8) | tag | suffix
 *
 *  tag  suffix                           value                                          what
 *  ───  ───────────────────────────────  ─────────────────────────────────────────────  ─────────────────────────
 *  'M'  —                                i32 version | 's' or 'u' [| tag | suffix]      layout version, flavour
 *                                                                                         [while migrating from 1:
 *                                                                                         last entry key migrated]
 *  'S'  —                                i64 seqLimit | i64 deadDropped                 sequence bound, dropped
 *                                                                                         dead letters
 *  'R'  sortable(position)               entry                                          ready, head..tail-1
 *  'D'  sortable(due) | sortable(order)  entry                                          delayed until due
 *  'F'  sortable(deliveryId)             entry                                          in flight
 *  'U'  SHA-256(identity) (32 bytes)     'R' sortable(position) | 'D' sortable(due)     unique member: where the
 *                                          sortable(order)                                waiting copy is
 *  'X'  sortable(deadId)                 i32 deliveries | i32 recoveries | i64 first-   dead letter
 *                                          Pushed | i64 deadAt | u8 n | digest[n] |
 *                                          i32 len | reason | payload
 *
 * entry = i64 itemId | i32 deliveries | i32 recoveries | i64 firstPushed | u8 n | digest[n] |
 *         payload                       (n = 32 on unique queues, else 0)
 * </pre>
 *
 * <ul>
 *   <li><b>One record per item:</b> the entry holds the whole item, so a push is one put, a claim
 *       one get, one delete and one put of the same bytes, an ack one delete; nothing else is
 *       written per item.
 *   <li><b>One sequence</b> ({@code seqLimit}) numbers items, deliveries, release orders and dead
 *       letters, so a delivery id is never reused, across restarts too. Numbers are reserved 65,536
 *       at a time: the state record is rewritten when a block runs out or a dead letter is dropped,
 *       not in every write round, and opening goes on from {@code seqLimit}.
 *   <li><b>Ready</b> is the contiguous range {@code head..tail-1}: push, release and promotion
 *       append at the tail, unclaim and recovery prepend at the head (positions may go negative).
 *       Claim reads the exact key at {@code head}; nothing iterates over deleted keys. Head and
 *       tail live in memory only: opening takes them from the ready keys it reads.
 *   <li><b>Unique</b> queues keep exactly the waiting items' digests in {@code 'U'}; in-flight and
 *       dead items are not members, so they may be pushed again.
 *   <li><b>Opening</b> migrates a queue stored in version 1 ({@link LayoutV1}: the payload lived
 *       in a separate {@code 'I'} record), then reads the queue's keys once: checks the invariants
 *       above, repairs what a crash or a manual edit left (WARN per repair), then recovers
 *       in-flight items. {@code SET_NAME} is not used: the set lives under the queue's own prefix,
 *       so it is written in the same batch.
 *   <li><b>Heap:</b> no waiting item's payload or entry is held in memory for ready items; the
 *       delayed index and the in-flight deliveries keep a header each (no payload), and the
 *       oldest-waiting statistic keeps at most {@value WaitingTimes#MAX_BUCKETS} time buckets.
 * </ul>
 *
 * <p><b>Atomicity and durability.</b> Every call is applied under the DB's combining lock into
 * one write batch (shared with concurrent calls: group commit), and returns only once that batch is
 * written; with {@code SYNC=true} the batch is synced to disk first. A kill -9 loses nothing that
 * a call returned for; power loss may lose unsynced batches, never half a batch.
 *
 * <p><b>Ordering.</b> FIFO from the head; unclaimed and recovered items go back to the head in
 * their original order; due delayed items join the tail by due time, then release order.
 *
 * <p><b>Blocking</b> ({@link LevelWaits}). {@code claim} waits on a condition signalled after each
 * write round that left items ready (one waiter per ready item), bounded by the earliest due time;
 * producers waiting for room are woken by claim, ack and removeAll. Nothing polls.
 *
 * <p><b>Thread-safety:</b> every method may be called from any thread. {@link #close()} waits for
 * calls in progress, then releases the shared DB.
 */
final class LevelQueue implements BaseQueue {
  /** pushAll hands a write round at most this many items (or bytes) per round. */
  private static final int PUSH_CHUNK_ITEMS = 512;
  private static final long PUSH_CHUNK_BYTES = 8L << 20;

  private final String name;
  private final boolean unique;
  private final QueueSettings settings;
  private final Clock clock;
  private final LevelDb db;
  private final QueueState state;
  private final String storageName;

  private final LevelWaits waits;
  private volatile boolean closed;
  /** Set once by {@link #open}. */
  private List<String> damage = List.of();

  /** Calls in progress hold the read lock; close takes the write lock and never gives it back. */
  private final ReentrantReadWriteLock inProgress = new ReentrantReadWriteLock();
  private final Object closing = new Object();
  private boolean closeDone;

  private LevelQueue(BaseQueueConfig config, LevelDb db, boolean unique) {
    this.name = config.name();
    this.unique = unique;
    this.settings = config.settings();
    this.clock = config.clock();
    this.db = db;
    this.storageName = config.queueFullName();
    this.waits = new LevelWaits(name, settings.length(), clock);
    this.state = new QueueState(name, storageName, unique, settings, clock, db, waits::publish,
        config.events());
  }

  /**
   * Opens {@code config}'s queue: shares (or opens) its directory's DB, checks the layout version
   * and flavour, repairs what needs it and recovers in-flight items.
   */
  static LevelQueue open(BaseQueueConfig config) {
    LevelLocation location = LevelLocation.of(config);
    String storage = config.queueFullName();
    if (storage.getBytes(StandardCharsets.UTF_8).length > Keys.MAX_NAME_BYTES) {
      throw new QueueConfigException("queue \"" + config.name() + "\": storage name is longer "
          + "than " + Keys.MAX_NAME_BYTES + " bytes");
    }
    boolean existing = config.open() == BaseQueueConfig.Open.EXISTING;
    LevelDb db = LevelDbs.acquire(location, config.name(), existing);
    boolean registered = false;
    try {
      db.register(storage, config.name());
      registered = true;
      boolean unique = existing ? storedFlavour(db, config.name(), storage) : config.unique();
      LevelQueue q = new LevelQueue(config, db, unique);
      Meta meta = q.checkMeta();
      List<String> migrated = LayoutV1.migrate(db, q.state, meta, LayoutV1.CHUNK_ITEMS,
          Integer.MAX_VALUE);
      db.call(q.state, t -> {
        q.state.load(t, db.raw(), true);
        return null;
      });
      q.state.addMigrationRepairs(migrated);
      q.damage = CleanClose.check(q.state, db.directory());
      return q;
    } catch (RuntimeException e) {
      if (registered) {
        db.unregister(storage);
      }
      LevelDbs.release(db);
      if (!(e instanceof io.queuekit.QueueException) && StorageFaults.isStorageFailure(e)) {
        // iq80 throws its own exceptions (a damaged block: org.iq80.snappy.CorruptionException)
        // naming neither queue nor directory.
        throw new QueueUnavailableException("queue \"" + config.name() + "\": LevelDB "
            + db.directory() + " (" + db.engine().option() + " engine) failed while reading the "
            + "queue at open: " + e + ". The files were left as they are", e);
      }
      throw e;
    }
  }

  /**
   * The flavour {@code storage}'s meta record holds, for {@link BaseQueueConfig.Open#EXISTING};
   * reads only. A queue with no key at all is not there; one with keys but no readable meta
   * record (damage, which an open would rewrite as the flavour it is opened as) is refused rather
   * than guessed.
   */
  private static boolean storedFlavour(LevelDb db, String queue, String storage) {
    Keys keys = new Keys(storage);
    byte[] raw;
    boolean anyKey;
    try {
      raw = db.raw().get(keys.meta());
      anyKey = raw != null || hasAnyKey(db, keys);
    } catch (RuntimeException e) {
      throw new QueueUnavailableException("queue \"" + queue + "\": LevelDB " + db.directory()
          + " failed while looking for the queue: " + e, e);
    }
    if (!anyKey) {
      throw new io.queuekit.spi.StoreNotFoundException("queue \"" + queue + "\": no store: LevelDB "
          + db.directory() + " holds no queue of storage name " + storage + "; nothing was "
          + "created. Check the queue's name, QUEUE_NAME and DATADIR");
    }
    try {
      return Meta.decode(raw == null ? new byte[0] : raw).unique();
    } catch (IllegalArgumentException e) {
      throw new QueueConfigException("queue \"" + queue + "\" (storage name " + storage
          + ") in LevelDB " + db.directory() + " has no readable record of its flavour (simple or "
          + "unique); nothing was changed. Opening it from its service repairs the record");
    }
  }

  private static boolean hasAnyKey(LevelDb db, Keys keys) {
    try (org.iq80.leveldb.DBIterator it = db.raw().iterator()) {
      it.seek(keys.prefix());
      return it.hasNext() && keys.owns(it.next().getKey());
    } catch (java.io.IOException e) {
      throw new org.iq80.leveldb.DBException("closing a LevelDB iterator failed", e);
    }
  }

  /**
   * Refuses a queue stored by a newer layout or as the other flavour; nothing is changed. Returns
   * the meta record, or null when there is none or it is malformed.
   */
  private Meta checkMeta() {
    byte[] raw;
    try {
      raw = db.raw().get(state.keys.meta());
    } catch (RuntimeException e) {
      throw unavailable("reading its meta record", e);
    }
    if (raw == null) {
      return null;
    }
    Meta meta;
    try {
      meta = Meta.decode(raw);
    } catch (IllegalArgumentException e) {
      return null; // the load repairs (rewrites) a malformed meta record and says so
    }
    if (meta.version() > QueueState.LAYOUT_VERSION) {
      throw new QueueUnavailableException("queue \"" + name + "\" (storage name " + storageName
          + ") in LevelDB " + db.directory() + " is stored in layout version " + meta.version()
          + ", newer than the version " + QueueState.LAYOUT_VERSION + " this queuekit reads; "
          + "upgrade queuekit, or point DATADIR elsewhere. Nothing was changed");
    }
    if (meta.unique() != unique) {
      throw new QueueConfigException("queue \"" + name + "\" (storage name " + storageName
          + ") in LevelDB " + db.directory() + " was created as a " + Meta.flavour(meta.unique())
          + " queue but is opened as a " + Meta.flavour(unique) + " queue; open it as "
          + Meta.flavour(meta.unique()) + ", or give it another name or DATADIR. Nothing was "
          + "changed");
    }
    return meta;
  }

  /**
   * What the open found missing or changed against the record of the queue's last clean close
   * (empty when nothing was, or when there is no such record), in words; each also logged at
   * ERROR. See {@link CleanClose}.
   */
  List<String> damage() {
    return damage;
  }

  /** What the open-time check repaired, in words (each also logged at WARN). */
  List<String> repairs() {
    return state.repairs();
  }

  LevelDb db() {
    return db;
  }

  /** Buckets the oldest-waiting statistic uses now (tests check they stay bounded). */
  int waitingBuckets() {
    return db.read(state, t -> state.waitingBuckets());
  }

  /** Threads blocked in claim (tests wait for this instead of sleeping). */
  int itemWaiters() {
    return waits.itemWaiters();
  }

  /** Threads blocked in push waiting for room. */
  int roomWaiters() {
    return waits.roomWaiters();
  }

  // ---------------------------------------------------------------- BaseQueue

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean unique() {
    return unique;
  }

  @Override
  public PushResult push(Item item, Duration delay, Duration timeout) {
    Objects.requireNonNull(item, "item");
    ItemSize.check(name, item, -1, settings.maxItemSize());
    long delayNanos = nonNegative(delay, "delay");
    long deadline = deadline(timeout);
    checkInterrupt();
    enter();
    try {
      while (true) {
        PushResult r = db.call(state, t -> state.push(t, item, delayNanos));
        if (r != PushResult.FULL) {
          return r;
        }
        if (!waits.awaitRoom(deadline)) {
          throw new QueueFullException(name, settings.length(), List.of());
        }
      }
    } finally {
      exit();
    }
  }

  @Override
  public List<PushResult> pushAll(List<Item> items, Duration timeout) {
    Objects.requireNonNull(items, "items");
    for (int i = 0; i < items.size(); i++) {
      ItemSize.check(name, Objects.requireNonNull(items.get(i), "item"), i, settings.maxItemSize());
    }
    long deadline = deadline(timeout);
    checkInterrupt();
    enter();
    try {
      List<PushResult> results = new ArrayList<>(items.size());
      while (results.size() < items.size()) {
        int from = results.size();
        int to = chunkEnd(items, from);
        List<Item> chunk = items.subList(0, to);
        List<PushResult> got = db.call(state, t -> state.pushAll(t, chunk, from, 0));
        results.addAll(got);
        if (from + got.size() < to && !waits.awaitRoom(deadline)) {
          throw new QueueFullException(name, settings.length(), results);
        }
      }
      return results;
    } finally {
      exit();
    }
  }

  private static int chunkEnd(List<Item> items, int from) {
    int to = from;
    long bytes = 0;
    while (to < items.size() && to - from < PUSH_CHUNK_ITEMS
        && (to == from || bytes + items.get(to).payload().length <= PUSH_CHUNK_BYTES)) {
      bytes += items.get(to).payload().length;
      to++;
    }
    return to;
  }

  @Override
  public PushResult offer(Item item) {
    Objects.requireNonNull(item, "item");
    ItemSize.check(name, item, -1, settings.maxItemSize());
    enter();
    try {
      return db.call(state, t -> state.push(t, item, 0));
    } finally {
      exit();
    }
  }

  @Override
  public List<Delivery> claim(int max, Duration wait) {
    if (max <= 0) {
      throw new IllegalArgumentException("claim max must be positive, was " + max);
    }
    long deadline = deadline(wait);
    checkInterrupt();
    enter();
    try {
      while (true) {
        List<Delivery> got = db.call(state, t -> state.claim(t, max));
        if (!got.isEmpty()) {
          return got;
        }
        LevelWaits.Wake w = waits.awaitItems(deadline);
        if (w == LevelWaits.Wake.CLOSED) {
          return List.of();
        }
        if (w == LevelWaits.Wake.TIMEOUT) {
          // One last look: the queue's clock may have made a delayed item due meanwhile.
          return waits.current().delayed() > 0 ? db.call(state, t -> state.claim(t, max)) : List.of();
        }
      }
    } finally {
      exit();
    }
  }

  @Override
  public List<Outcome> ack(List<Delivery> deliveries) {
    List<Delivery> ds = List.copyOf(deliveries);
    enter();
    try {
      return db.call(state, t -> state.ack(t, ds));
    } finally {
      exit();
    }
  }

  @Override
  public Outcome release(Delivery delivery, Duration delay) {
    Objects.requireNonNull(delivery, "delivery");
    long delayNanos = nonNegative(delay, "delay");
    enter();
    try {
      return db.call(state, t -> state.release(t, delivery.id(), delayNanos));
    } finally {
      exit();
    }
  }

  @Override
  public List<Outcome> unclaim(List<Delivery> deliveries) {
    List<Delivery> ds = List.copyOf(deliveries);
    enter();
    try {
      return db.call(state, t -> state.unclaim(t, ds));
    } finally {
      exit();
    }
  }

  @Override
  public Outcome deadLetter(Delivery delivery, String reason) {
    Objects.requireNonNull(delivery, "delivery");
    enter();
    try {
      return db.call(state, t -> state.deadLetter(t, delivery.id(), reason));
    } finally {
      exit();
    }
  }

  @Override
  public boolean has(byte[] identity) {
    Objects.requireNonNull(identity, "identity");
    enter();
    try {
      if (!unique) {
        return false;
      }
      // Committed rounds are exactly what the DB holds, and a push returns only after its round is
      // written, so a direct read is exact.
      return db.raw().get(state.keys.unique(Digests.sha256(identity))) != null;
    } catch (RuntimeException e) {
      throw unavailable("reading its unique set", e);
    } finally {
      exit();
    }
  }

  @Override
  public long len() {
    enter();
    try {
      return waits.current().waiting();
    } finally {
      exit();
    }
  }

  @Override
  public long removeAll() {
    enter();
    try {
      return db.call(state, state::removeAll);
    } finally {
      exit();
    }
  }

  @Override
  public StoreStats stats() {
    enter();
    try {
      return db.read(state, t -> state.stats());
    } finally {
      exit();
    }
  }

  @Override
  public List<DeadLetter> listDead(int offset, int limit) {
    if (offset < 0 || limit < 0) {
      throw new IllegalArgumentException("offset and limit must not be negative: offset=" + offset
          + ", limit=" + limit);
    }
    enter();
    try {
      return db.read(state, t -> state.listDead(t, offset, limit));
    } finally {
      exit();
    }
  }

  @Override
  public List<DeadLetter> findDead(Collection<Long> ids) {
    List<Long> copy = List.copyOf(ids);
    enter();
    try {
      return db.read(state, t -> state.findDead(t, copy));
    } finally {
      exit();
    }
  }

  @Override
  public long replayDead(Collection<Long> ids) {
    List<Long> copy = new ArrayList<>(Objects.requireNonNull(ids, "ids"));
    enter();
    try {
      return db.call(state, t -> state.replayDead(t, copy));
    } finally {
      exit();
    }
  }

  @Override
  public long replayAllDead() {
    enter();
    try {
      return db.call(state, t -> state.replayDead(t, null));
    } finally {
      exit();
    }
  }

  @Override
  public long purgeDead(Collection<Long> ids) {
    List<Long> copy = new ArrayList<>(Objects.requireNonNull(ids, "ids"));
    enter();
    try {
      return db.call(state, t -> state.purgeDead(t, copy));
    } finally {
      exit();
    }
  }

  @Override
  public long purgeAllDead() {
    enter();
    try {
      return db.call(state, t -> state.purgeDead(t, null));
    } finally {
      exit();
    }
  }

  @Override
  public void close() {
    synchronized (closing) {
      if (closeDone) {
        return;
      }
      closed = true;
      waits.close();
      // Waits for every call in progress (each has finished its DB work); kept for good, so
      // every later call fails fast.
      inProgress.writeLock().lock();
      try {
        CleanClose.write(state, db.directory(), waits.current());
        db.unregister(storageName);
      } finally {
        closeDone = true;
        LevelDbs.release(db);
      }
    }
  }

  @Override
  public String toString() {
    return "LevelQueue[" + name + (unique ? ", unique" : "") + ", " + db.directory() + ", "
        + db.engine().option() + "]";
  }

  // ---------------------------------------------------------------- helpers

  private void enter() {
    if (closed || !inProgress.readLock().tryLock()) {
      throw new QueueClosedException(name);
    }
    if (closed) {
      inProgress.readLock().unlock();
      throw new QueueClosedException(name);
    }
  }

  private void exit() {
    inProgress.readLock().unlock();
  }

  private void checkInterrupt() {
    if (Thread.interrupted()) {
      Thread.currentThread().interrupt();
      throw new QueueInterruptedException(name, new InterruptedException("interrupt flag was set"));
    }
  }

  private static long nonNegative(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative()) {
      throw new IllegalArgumentException(what + " must not be negative, was " + d);
    }
    return Nanos.of(d);
  }

  private static long deadline(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    return Nanos.add(System.nanoTime(), Nanos.ofNonNegative(timeout));
  }

  /** A storage failure of a direct read, naming queue, directory and engine; else {@code e}. */
  private RuntimeException unavailable(String doing, RuntimeException e) {
    if (!StorageFaults.isStorageFailure(e)) {
      return e;
    }
    return new QueueUnavailableException("queue \"" + name + "\": LevelDB " + db.directory()
        + " failed while " + doing + ": " + e, e);
  }
}
