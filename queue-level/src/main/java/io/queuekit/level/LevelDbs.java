package io.queuekit.level;

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
    Path dir = LevelDb.createDirectory(location.directory(), queue, location.source());
    LevelDb db = OPEN.get(dir);
    if (db == null) {
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
