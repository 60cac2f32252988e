package io.queuekit.level;

import io.queuekit.QueueException;
import io.queuekit.QueueUnavailableException;
import java.io.IOException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open LevelDB directory, shared by every queue of this process whose {@code DATADIR} or
 * {@code CONN_STR} names it (Gitea's {@code queues/common}), reference-counted by {@link LevelDbs}.
 *
 * <p><b>Group commit.</b> Every queue's {@link QueueState} is owned by whoever holds this DB's
 * combining lock. A caller queues its operation and tries the lock: the holder drains every queued
 * operation, applies them in order against one {@link Txn}, writes them as <em>one</em> {@code
 * WriteBatch} (synced when any of them belongs to a {@code SYNC=true} queue), publishes the new
 * counts to the queues' waiters, and wakes their callers. A caller that finds the lock taken parks
 * until its operation is done, or until the holder, leaving, hands it the lock for what was queued
 * meanwhile. So while one caller writes (and syncs), the others queue up and the next round writes
 * all of them at once; every check-then-act (room, uniqueness, fencing) is race-free; and with no
 * contention the caller writes itself, handing off to no thread.
 *
 * <p><b>Failure.</b> When a round's write fails, none of it is stored: every caller of the round
 * gets a {@link QueueUnavailableException} and every queue it touched reloads its state from the
 * DB, so memory never says more than the disk. A failed read says so, not "write".
 *
 * <p><b>Full disk.</b> Before a round writes, {@link DiskSpaceGuard} checks the file system still
 * has room for everything LevelDB may write because of it (both engines write through memory
 * maps, where a full disk is SIGBUS, not an error). Without it, the round's writing operations
 * fail before they run, naming the free space; read-only ones ({@link #read}) still run.
 *
 * <p><b>Closing.</b> The DB closes only when the last queue has released it, under the combining
 * lock; the one iterator (the open-time scan) is closed before its round ends, so {@code close}
 * never runs under an open iterator (which aborts the JVM with leveldbjni).
 *
 * <p><b>Thread-safety:</b> {@link #call} from any thread; {@link #refs} is guarded by {@link
 * LevelDbs}.
 */
final class LevelDb {
  private static final Logger LOG = LoggerFactory.getLogger(LevelDb.class);
  /** At most this many operations per round, so one round's batch stays a sane size. */
  private static final int MAX_OPS_PER_ROUND = 1024;
  private static final Pattern LOCK_HELD = Pattern.compile("IO error: lock .*LOCK: ");

  private final Path directory;
  private final Engine engine;
  private final LevelLocation location;
  private final DB db;
  private final ConcurrentLinkedQueue<Op<?>> ops = new ConcurrentLinkedQueue<>();
  /**
   * The round's writes and the queues it touched, reused from round to round (guarded by the
   * combining lock): a round is often one item, so per-round allocation is per-item allocation.
   */
  private final Txn txn;
  private final List<QueueState> touched = new ArrayList<>();
  /** Whoever holds it applies the queued operations; guards every QueueState and {@link #closed}. */
  private final ReentrantLock combiner = new ReentrantLock();
  private boolean closed;
  private final Map<String, String> openNames = new HashMap<>();
  /** Guarded by {@link LevelDbs}. */
  int refs;
  /** Write rounds committed, and how many of them synced: what group commit saves is visible. */
  private final AtomicLong rounds = new AtomicLong();
  private final AtomicLong syncedRounds = new AtomicLong();

  /** Whether opening needed LevelDB's repair. */
  private final boolean repaired;
  /** Refuses rounds before LevelDB writes into a full disk (guarded by the combining lock). */
  private final DiskSpaceGuard disk;

  private LevelDb(Path directory, Engine engine, LevelLocation location, DB db, boolean repaired,
      DiskSpaceGuard disk) {
    this.repaired = repaired;
    this.directory = directory;
    this.engine = engine;
    this.location = location;
    // iq80's reads race its compactions (see Iq80ReadRetry); the native engine's do not
    this.db = engine == Engine.JAVA ? new Iq80ReadRetry(db) : db;
    this.disk = disk;
    this.txn = new Txn(this.db);
  }

  Path directory() {
    return directory;
  }

  Engine engine() {
    return engine;
  }

  LevelLocation location() {
    return location;
  }

  /** The raw DB: reads from any thread while the caller holds a reference, writes only via ops. */
  DB raw() {
    return db;
  }

  boolean repaired() {
    return repaired;
  }

  /** Write batches committed so far. */
  long rounds() {
    return rounds.get();
  }

  /** Write batches committed with sync so far. */
  long syncedRounds() {
    return syncedRounds.get();
  }

  // ---------------------------------------------------------------- opening

  /**
   * Opens the DB at {@code dir} (already created and canonical).
   *
   * @throws QueueUnavailableException locked by another process, corrupt beyond repair, or
   *     unreadable; the message names the directory and what to do
   */
  static LevelDb open(Path dir, LevelLocation location, String queue) {
    Engine engine = Engine.choose(location.engine(), dir.toString());
    Options options = location.levelOptions();
    DB db;
    boolean repaired = false;
    try {
      db = engine.factory().open(dir.toFile(), options);
    } catch (IOException | RuntimeException e) {
      if (isLockError(e)) {
        throw lockError(dir, queue, e);
      }
      // A directory LevelDB may not write is not damage: say so, and never "repair" it.
      String unwritable = StorageFaults.unwritable(dir, e);
      if (unwritable != null) {
        throw new QueueUnavailableException("queue \"" + queue + "\": cannot open LevelDB at " + dir
            + " with the " + engine.option() + " engine: " + unwritable + " (" + e + "). LevelDB "
            + "writes to open a database (its LOCK, log and MANIFEST files). Nothing was changed "
            + "and no repair was tried: mount it read-write, give this process write access, or "
            + "point DATADIR elsewhere", e);
      }
      db = repairAndOpen(dir, engine, options, queue, e);
      repaired = true;
    }
    LOG.debug("opened LevelDB {} with the {} engine", dir, engine.option());
    return new LevelDb(dir, engine, location, db, repaired,
        DiskSpaceGuard.of(dir, options.writeBufferSize()));
  }

  private static boolean isLockError(Throwable e) {
    if (e instanceof OverlappingFileLockException) {
      return true;
    }
    String m = String.valueOf(e.getMessage());
    // leveldbjni: "IO error: lock <dir>/LOCK: Resource temporarily unavailable" (another process)
    // or "...: already held by process" (another handle here); iq80: "Unable to acquire lock".
    // Not "IO error: <dir>/LOCK: Is a directory", which is damage, not a holder.
    return LOCK_HELD.matcher(m).find() || m.contains("Unable to acquire lock");
  }

  private static QueueUnavailableException lockError(Path dir, String queue, Throwable e) {
    String m = String.valueOf(e.getMessage());
    boolean here = e instanceof OverlappingFileLockException || m.contains("already held by process");
    String who = here
        ? "another LevelDB handle in this process (opened outside queuekit, e.g. by another class "
            + "loader)"
        : "another process";
    return new QueueUnavailableException("queue \"" + queue + "\": LevelDB directory " + dir
        + " is locked by " + who + " (" + e.getClass().getSimpleName() + ": " + m + "). A LevelDB "
        + "directory serves one process at a time: stop the other process, give each process its "
        + "own DATADIR, or use TYPE=redis to share queues between processes and replicas", e);
  }

  /** Gitea repairs a DB that fails to open; so do we, once, and fail naming both causes. */
  private static DB repairAndOpen(Path dir, Engine engine, Options options, String queue,
      Throwable openFailure) {
    if (!Files.exists(dir.resolve("CURRENT"))) {
      throw new QueueUnavailableException("queue \"" + queue + "\": cannot open LevelDB at " + dir
          + " with the " + engine.option() + " engine: " + openFailure, openFailure);
    }
    // iq80 has no repair; the native engine repairs the same files where it loads.
    Engine repairer = Engine.nativeAvailable() ? Engine.JNI : null;
    if (repairer == null) {
      throw new QueueUnavailableException("queue \"" + queue + "\": LevelDB at " + dir + " cannot "
          + "be opened (" + openFailure + ") and cannot be repaired here: the pure-Java engine has "
          + "no repair and the native library does not load on " + Engine.platform() + ". The "
          + "files were left as they are; repair them where leveldbjni loads", openFailure);
    }
    LOG.warn("queue \"{}\": LevelDB at {} cannot be opened ({}); trying LevelDB's repair once",
        queue, dir, openFailure.toString());
    try {
      repairer.factory().repair(dir.toFile(), options);
      DB db = engine.factory().open(dir.toFile(), options);
      LOG.warn("queue \"{}\": LevelDB at {} was repaired and opened; records in a damaged file "
          + "may have been lost (LevelDB's repair keeps every record it can read)", queue, dir);
      return db;
    } catch (IOException | RuntimeException e) {
      QueueUnavailableException failure = new QueueUnavailableException("queue \"" + queue
          + "\": LevelDB at " + dir + " is corrupt or unreadable (" + openFailure + "); LevelDB's "
          + "repair was tried once and failed (" + e + "). The files were left as they are",
          openFailure);
      failure.addSuppressed(e);
      throw failure;
    }
  }

  /** Creates {@code dir} if needed and returns its canonical path (symlinks resolved). */
  static Path createDirectory(Path dir, String queue, String source) {
    try {
      Files.createDirectories(dir);
      return dir.toRealPath();
    } catch (IOException | SecurityException e) {
      throw new QueueUnavailableException("queue \"" + queue + "\": cannot create the LevelDB "
          + "directory " + dir + " (from " + source + "): " + e, e);
    }
  }

  // ---------------------------------------------------------------- queue names

  /**
   * Claims a storage name for one open queue.
   *
   * @throws QueueException when a queue with that storage name is already open in this process
   */
  synchronized void register(String storageName, String queue) {
    String holder = openNames.putIfAbsent(storageName, queue);
    if (holder != null) {
      throw new QueueException("queue \"" + queue + "\" (storage name " + storageName + ") is "
          + "already open in this process on LevelDB " + directory
          + (holder.equals(queue) ? "" : " as queue \"" + holder + "\"")
          + "; close it first (a LevelDB queue has one instance per process)");
    }
  }

  synchronized void unregister(String storageName) {
    openNames.remove(storageName);
  }

  // ---------------------------------------------------------------- write rounds

  /**
   * Applies {@code body} in a write round and returns its result once the round is stored. The
   * calling thread applies the round itself when it gets the combining lock; otherwise it parks
   * until the lock's holder has applied it (or hands it the lock). Waits uninterruptibly (a round
   * takes microseconds to milliseconds): an operation once queued runs whatever happens to the
   * caller, so the caller must see its result; an interrupt meanwhile is restored on return.
   *
   * @throws QueueUnavailableException the round's write failed; nothing of it was stored
   */
  <R> R call(QueueState state, Function<Txn, R> body) {
    return call(state, body, false);
  }

  /**
   * As {@link #call}, for an operation that never writes (stats, listing dead letters): a full
   * disk does not refuse it.
   */
  <R> R read(QueueState state, Function<Txn, R> body) {
    return call(state, body, true);
  }

  private <R> R call(QueueState state, Function<Txn, R> body, boolean readOnly) {
    Op<R> op = new Op<>(state, state.settings.sync(), body, Thread.currentThread(), readOnly);
    ops.add(op);
    boolean interrupted = false;
    while (!op.done) {
      if (combiner.tryLock()) {
        try {
          combine(op);
        } finally {
          combiner.unlock();
        }
        // Whoever queued after this round started waits parked: hand it the lock.
        Op<?> next = ops.peek();
        if (next != null) {
          LockSupport.unpark(next.thread);
        }
      } else {
        // The holder completes this op in its next round, or unparks this thread to combine.
        LockSupport.park(this);
        interrupted |= Thread.interrupted();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (op.failure != null) {
      throw op.failure;
    }
    return op.result;
  }

  /** Runs rounds, each of everything queued, until {@code op} is done; under the lock. */
  private void combine(Op<?> op) {
    List<Op<?>> round = new ArrayList<>();
    while (!op.done) {
      if (closed) {
        // Only reachable through a bug (queues close before the DB); never touch a closed DB.
        ops.remove(op);
        throw new QueueUnavailableException("queue \"" + op.state.queue + "\": LevelDB "
            + directory + " is closed");
      }
      for (Op<?> o; round.size() < MAX_OPS_PER_ROUND && (o = ops.poll()) != null; ) {
        round.add(o);
      }
      runRound(round);
      round.clear();
    }
  }

  /** Closes the DB; the last queue has released it, so no operation is queued or running. */
  void shutdown() {
    combiner.lock();
    try {
      closed = true;
      db.close();
    } catch (IOException | RuntimeException e) {
      LOG.error("closing LevelDB {} failed; its files are consistent as of the last write",
          directory, e);
    } finally {
      combiner.unlock();
    }
  }

  private void runRound(List<Op<?>> round) {
    refuseWritesIfFull(round);
    if (round.isEmpty()) {
      return;
    }
    txn.reset();
    touched.clear();
    boolean sync = false;
    Throwable failure = null;
    QueueState culprit = null;
    boolean reading = false;
    String diskFull = null;
    for (Op<?> op : round) {
      if (!touched.contains(op.state)) {
        touched.add(op.state);
      }
      sync |= op.sync;
      try {
        op.apply(txn);
      } catch (RuntimeException | Error e) {
        failure = e;
        culprit = op.state;
        // Operations only read while they apply (their writes are staged): a storage failure
        // here is a failed read, anything else the operation's own failure.
        reading = StorageFaults.isStorageFailure(e);
        break;
      }
    }
    if (failure == null) {
      try {
        for (int i = 0; i < touched.size(); i++) {
          touched.get(i).stage(txn);
        }
        if (!txn.isEmpty()) {
          long bytes = txn.bytes();
          diskFull = disk.refusal(bytes);
          if (diskFull == null) {
            txn.commit(sync);
            disk.wrote(bytes);
            rounds.incrementAndGet();
            if (sync) {
              syncedRounds.incrementAndGet();
            }
          }
        }
      } catch (RuntimeException | Error e) {
        failure = e;
        if (StorageFaults.isNoSpace(e)) {
          disk.invalidate();
          long usable = disk.usable();
          diskFull = "the disk is full: LevelDB reported no space left (" + e + "); "
              + DiskSpaceGuard.size(usable) + " usable on " + disk.storeName() + " (free space "
              + usable + " bytes); writes resume by themselves when space is freed";
          LOG.warn("LevelDB {}: {}", directory, diskFull, e);
        }
      }
    }
    // The round's payloads are not kept until the next round.
    txn.reset();
    if (failure == null && diskFull == null) {
      for (int i = 0; i < touched.size(); i++) {
        touched.get(i).publish();
      }
      complete(round);
      return;
    }
    if (diskFull == null) {
      String what = reading ? "reading the DB failed in a round of " + round.size() + " operations"
          : culprit != null ? "an operation failed in a round of " + round.size() + " operations"
          : "writing a round of " + round.size() + " operations failed";
      LOG.error("LevelDB {}: {}; none of it was stored", directory, what, failure);
    } // else the guard (or the no-space branch above) has logged it
    for (QueueState s : touched) {
      reload(s);
    }
    for (Op<?> op : round) {
      op.fail(diskFull != null ? diskFull(op.state, diskFull, failure)
          : roundFailure(op.state, culprit, reading, failure));
    }
    complete(round);
  }

  /**
   * Fails the round's writing operations, before any of them runs, while the disk has no room for
   * LevelDB's next writes; the read-only ones stay in the round.
   */
  private void refuseWritesIfFull(List<Op<?>> round) {
    boolean writes = false;
    for (int i = 0; i < round.size() && !writes; i++) {
      writes = !round.get(i).readOnly;
    }
    String full = writes ? disk.refusal(0) : null;
    if (full == null) {
      return;
    }
    List<Op<?>> refused = new ArrayList<>();
    for (Op<?> op : round) {
      if (!op.readOnly) {
        op.fail(diskFull(op.state, full, null));
        refused.add(op);
      }
    }
    round.removeIf(op -> !op.readOnly);
    complete(refused);
  }

  private QueueUnavailableException diskFull(QueueState state, String why, Throwable cause) {
    return new QueueUnavailableException("queue \"" + state.queue + "\": LevelDB " + directory
        + ": " + why + "; nothing of this call was stored", cause);
  }

  /** Marks a round's operations done and wakes their parked callers. */
  private static void complete(List<Op<?>> round) {
    Thread self = Thread.currentThread();
    for (Op<?> op : round) {
      op.done = true;
      if (op.thread != self) {
        LockSupport.unpark(op.thread);
      }
    }
  }

  private QueueException roundFailure(QueueState state, QueueState culprit, boolean reading,
      Throwable cause) {
    String failed = reading ? "reading the DB failed" : "failed";
    String why = culprit == null ? "writing the batch failed"
        : culprit == state ? (reading ? "reading the DB failed" : "the operation failed")
        : "an operation of queue \"" + culprit.queue + "\" in the same round " + failed;
    return new QueueUnavailableException("queue \"" + state.queue + "\": LevelDB " + directory
        + ": " + why + " (" + cause + "); nothing of this call was stored", cause);
  }

  /** After a failed round: memory back to what the DB holds, without recovering anything. */
  private void reload(QueueState s) {
    if (!s.loaded()) {
      // Still opening (a layout-1 migration round failed): its open fails with this round's
      // error, and a load now would read the half-migrated entries as layout 2.
      return;
    }
    try {
      Txn t = new Txn(db);
      s.load(t, db, false);
      s.stage(t);
      t.commit(s.settings.sync());
      s.publish();
    } catch (RuntimeException | Error e) {
      s.markBroken(new QueueUnavailableException("queue \"" + s.queue + "\": LevelDB " + directory
          + " failed and its state could not be reloaded (" + e + "); close and reopen the queue",
          e));
    }
  }

  /**
   * One queued operation. Its result fields are written under the combining lock before {@link
   * #done}, whose volatile write publishes them to the caller.
   */
  static final class Op<R> {
    final QueueState state;
    final boolean sync;
    final Function<Txn, R> body;
    final Thread thread;
    /** Never writes: a full disk does not refuse it. */
    final boolean readOnly;
    volatile boolean done;
    R result;
    QueueException failure;

    Op(QueueState state, boolean sync, Function<Txn, R> body, Thread thread, boolean readOnly) {
      this.thread = thread;
      this.readOnly = readOnly;
      this.state = state;
      this.sync = sync;
      this.body = body;
    }

    void apply(Txn t) {
      QueueException broken = state.broken();
      if (broken != null) {
        failure = broken;
        return;
      }
      result = body.apply(t);
    }

    void fail(QueueException e) {
      failure = e;
    }
  }
}
