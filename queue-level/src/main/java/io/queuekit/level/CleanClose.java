package io.queuekit.level;

import io.queuekit.internal.Digests;
import io.queuekit.level.QueueState.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a queue held when it was last closed cleanly, kept beside its LevelDB, so the next open can
 * tell when the files lost writes. LevelDB cannot: it reads a log cut short (a truncated or damaged
 * newest {@code .log}, a power loss with {@code SYNC=false}) as a crash in the middle of a write and
 * opens without a word, with the batches of the lost tail gone. The state record in the DB cannot
 * either: it is written in the same log, so it is lost with the same tail and agrees with what is
 * left.
 *
 * <p>So {@link LevelQueue#close()} writes the queue's counts (waiting, in flight, dead) to a small
 * file in the DB directory, {@code QUEUEKIT-CLOSED-<hash of the storage name>} (LevelDB ignores
 * files it did not name), synced and renamed into place. The next open compares them with what its
 * scan found, reports any difference (ERROR log, {@link LevelQueue#damage()}), and deletes the file
 * before the queue is used, so a later crash never compares against stale counts. After a crash
 * (no clean close) there is no record, and nothing can be compared: LevelDB's own recovery of a
 * torn log tail is then the normal case, not damage.
 *
 * <p><b>Thread-safety:</b> stateless; called by one queue's open and close.
 */
final class CleanClose {
  private static final Logger LOG = LoggerFactory.getLogger(CleanClose.class);
  static final String PREFIX = "QUEUEKIT-CLOSED-";

  private CleanClose() {}

  /** Items stored for one queue. */
  record Counts(long waiting, long inFlight, long dead) {
    long total() {
      return waiting + inFlight + dead;
    }

    @Override
    public String toString() {
      return waiting + " waiting, " + inFlight + " in flight, " + dead + " dead";
    }
  }

  static Path file(Path dir, String storageName) {
    byte[] h = Digests.sha256(storageName.getBytes(StandardCharsets.UTF_8));
    return dir.resolve(PREFIX + HexFormat.of().formatHex(h, 0, 8));
  }

  /**
   * At close, after the last write: records {@code s}'s counts. A failure (a full or read-only
   * disk) only costs the next open its check, so it is logged, not thrown.
   */
  static void write(QueueState state, Path dir, Snapshot s) {
    if (state.broken() != null || !state.loaded()) {
      return; // memory may not say what the disk holds
    }
    Path target = file(dir, state.keys.name());
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Properties p = new Properties();
    p.setProperty("storage", state.keys.name());
    p.setProperty("queue", state.queue);
    p.setProperty("waiting", Long.toString(s.waiting()));
    p.setProperty("inFlight", Long.toString(s.inFlight()));
    p.setProperty("dead", Long.toString(s.dead()));
    p.setProperty("closedAt", Instant.now().toString());
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        p.store(out, "queuekit: what this queue held at its last clean close; deleted at open");
      }
      try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        c.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory(dir);
    } catch (IOException | RuntimeException e) {
      LOG.warn("queue \"{}\": could not record its counts at close in {} ({}); its next open "
          + "cannot check the files for lost writes", state.queue, target, e.toString());
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // left behind; overwritten by the next close
      }
    }
  }

  /**
   * At open, after the load: compares the record of the last clean close (if any) with what the
   * load found, reports every difference, and deletes the record. Returns the reports.
   */
  static List<String> check(QueueState state, Path dir) {
    Path f = file(dir, state.keys.name());
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(f)) {
      p.load(in);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException | IllegalArgumentException e) {
      LOG.warn("queue \"{}\": the record of its last clean close {} is unreadable ({}); the files "
          + "cannot be checked for lost writes", state.queue, f, e.toString());
      delete(state, dir, f);
      return List.of();
    }
    List<String> damage = new ArrayList<>();
    Counts found = state.found();
    try {
      if (!state.keys.name().equals(p.getProperty("storage"))) {
        return List.of(); // another storage name hashed alike: not ours
      }
      Counts closed = new Counts(Long.parseLong(p.getProperty("waiting")),
          Long.parseLong(p.getProperty("inFlight")), Long.parseLong(p.getProperty("dead")));
      if (found != null && !closed.equals(found)) {
        long missing = closed.total() - found.total();
        String what = missing > 0
            ? missing + " of the " + closed.total() + " items it held are missing"
            : missing < 0 ? (-missing) + " more items than it held are back (settles were lost, "
                + "so settled items will be delivered again)"
            : "the items moved between states (writes were lost)";
        damage.add("its files do not hold what it held at its last clean close ("
            + p.getProperty("closedAt") + "): " + closed + " then, " + found + " now: " + what
            + ". LevelDB opens a truncated or damaged .log file without a word, keeping only the "
            + "records before the damage (a copy cut short, a failing disk, power loss with "
            + "SYNC=false); an edit by another tool shows the same way. What is missing cannot "
            + "be read back from these files: restore them from a backup if the items matter. "
            + "The queue goes on with what is left");
      }
    } catch (RuntimeException e) {
      LOG.warn("queue \"{}\": the record of its last clean close {} is malformed ({}); the files "
          + "cannot be checked for lost writes", state.queue, f, e.toString());
    }
    for (String d : damage) {
      LOG.error("queue \"{}\" (storage name {}) in LevelDB {}: {}", state.queue, state.keys.name(),
          dir, d);
    }
    delete(state, dir, f);
    return List.copyOf(damage);
  }

  private static void delete(QueueState state, Path dir, Path f) {
    try {
      Files.deleteIfExists(f);
      syncDirectory(dir);
    } catch (IOException e) {
      LOG.warn("queue \"{}\": could not delete the record of its last clean close {} ({}); a "
          + "crash before the next clean close could make the next open report lost writes",
          state.queue, f, e.toString());
    }
  }

  /** Makes a rename or delete in {@code dir} durable (Linux and macOS; a no-op elsewhere). */
  private static void syncDirectory(Path dir) {
    try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
      c.force(true);
    } catch (IOException | RuntimeException e) {
      // Windows cannot open a directory; the rename is still atomic there
    }
  }
}
