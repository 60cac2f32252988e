package io.queuekit.level;

import io.queuekit.QueueUnavailableException;
import io.queuekit.spi.StoreNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process-wide registry of open LevelDB directories: one {@link LevelDb} per canonical
 * directory, reference-counted by the queues using it, closed when the last one closes. LevelDB
 * locks a directory per handle, so a second handle in the same process would fail; sharing the
 * handle is what lets every queue of Gitea's {@code queues/common} live in one DB.
 *
 * <p><b>Thread-safety:</b> every method is synchronized on the class; opening and closing a DB
 * happen under that lock, so an open never races the close of the same directory.
 */
final class LevelDbs {
  private static final Logger LOG = LoggerFactory.getLogger(LevelDbs.class);
  private static final Map<Path, LevelDb> OPEN = new HashMap<>();

  private LevelDbs() {}

  /**
   * The shared handle for {@code location}'s directory, opened (and the directory created) if no
   * queue of this process holds it yet. The caller owns one reference until {@link #release}.
   */
  static synchronized LevelDb acquire(LevelLocation location, String queue) {
    return acquire(location, queue, false);
  }

  /**
   * As {@link #acquire(LevelLocation, String)}; with {@code existing}, only a DB that is there:
   * a missing directory or one holding no LevelDB ({@code CURRENT}) is a {@link
   * StoreNotFoundException}, and nothing is created.
   */
  static synchronized LevelDb acquire(LevelLocation location, String queue, boolean existing) {
    Path dir = existing ? existingDirectory(location, queue)
        : LevelDb.createDirectory(location.directory(), queue, location.source());
    LevelDb db = OPEN.get(dir);
    if (db == null) {
      if (existing && !Files.isRegularFile(dir.resolve("CURRENT"))) {
        throw notFound(location, queue, "holds no LevelDB");
      }
      db = LevelDb.open(dir, location, queue);
      OPEN.put(dir, db);
    } else if (!db.location().options().equals(location.options())
        || (location.engine() != null && location.engine() != db.engine())) {
      // Gitea logs "Duplicate connection to level db" and reuses the first handle; so do we.
      LOG.warn("queue \"{}\": LevelDB {} is already open in this process with engine={} and "
          + "options {}; {} asks for {}{}: the open handle is shared as it is", queue, dir,
          db.engine().option(), db.location().options(), location.source(),
          location.engine() == null ? "" : "engine=" + location.engine().option() + " ",
          location.options());
    }
    db.refs++;
    return db;
  }

  private static Path existingDirectory(LevelLocation location, String queue) {
    Path dir = location.directory();
    if (!Files.isDirectory(dir)) {
      throw notFound(location, queue, "does not exist");
    }
    try {
      return dir.toRealPath();
    } catch (IOException e) {
      throw new QueueUnavailableException("queue \"" + queue + "\": cannot read the LevelDB "
          + "directory " + dir + " (from " + location.source() + "): " + e, e);
    }
  }

  private static StoreNotFoundException notFound(LevelLocation location, String queue,
      String what) {
    return new StoreNotFoundException("queue \"" + queue + "\": no store: the LevelDB directory "
        + location.directory() + " (from " + location.source() + ") " + what + "; nothing was "
        + "created. Check the queue's name, DATADIR and the data path");
  }

  /** Drops one reference; the last one closes the DB. */
  static synchronized void release(LevelDb db) {
    if (--db.refs == 0) {
      OPEN.remove(db.directory());
      db.shutdown();
    }
  }

  /** Whether this process holds {@code dir} open (for tests and diagnostics). */
  static synchronized boolean isOpen(Path dir) {
    return OPEN.containsKey(dir);
  }
}
