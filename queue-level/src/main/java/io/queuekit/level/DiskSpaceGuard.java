package io.queuekit.level;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a write round before LevelDB touches a full disk. Both engines write through memory
 * maps: leveldbjni's log, table and MANIFEST writer ({@code PosixMmapFile}) and iq80's log writer
 * ({@code MMapLogWriter}). On a full file system the native engine's store into a mapped page
 * raises SIGBUS, which kills the whole JVM (exit 134) with every other queue of the process; the
 * Java engine's mapping fails half-way and leaves its log writer unusable. Neither reports "no
 * space" as an error a caller could handle, so the only safe answer is never to let them run out:
 * every round first asks this guard whether the file system still has room for everything LevelDB
 * may write because of it, and fails with {@link io.queuekit.QueueUnavailableException} otherwise.
 * Nothing is written then, nothing already stored is touched, and the next round asks again: writes
 * resume by themselves once space is freed.
 *
 * <p><b>The reserve.</b> What one round can make LevelDB write, at most:
 *
 * <ul>
 *   <li>the round's log record: the batch (12 bytes, then per put a tag, two varint lengths, key
 *       and value) plus a 7-byte header per 32 KiB log block; {@link Txn#bytes()} counts the batch
 *       and {@link #logBytes} adds the framing;
 *   <li>a memtable flush: when the memtable is full, LevelDB starts a new log and writes the old
 *       memtable as a level-0 table, {@code writeBufferSize} plus the last round (the memtable
 *       passes the buffer size by at most one batch) plus table overhead; a flush already running
 *       in the background is covered by the same allowance, because the next one cannot start
 *       before it has finished;
 *   <li>a mapped chunk: iq80 extends its log by 1 MiB at a time and the JDK allocates that chunk
 *       when mapping it; leveldbjni maps at most 1 MiB ahead (it allocates pages as it touches
 *       them);
 *   <li>{@value #SLACK} bytes for the MANIFEST edit of a flush, a new log's first block, {@code
 *       CURRENT} and the info {@code LOG}.
 * </ul>
 *
 * So a round needs {@code logBytes(round) + writeBufferSize + round + 1 MiB + 64 KiB} usable bytes
 * (5.1 MiB with the default 4 MiB buffer). This does not cover a major compaction, which rewrites
 * live table files in the background: a queue's live data is what waits in it, and the reserve
 * keeps a flush's worth of room, but a disk filled to the last byte by another process while a
 * large compaction runs can still stop the native engine.
 *
 * <p><b>Cost.</b> {@link FileStore#getUsableSpace()} is a {@code statvfs} call (a microsecond or
 * two); it is read at most once per {@link #TTL_NANOS} (1 ms) on the injected clock, so at most a
 * thousand calls a second however many items the rounds carry, and between reads the bytes this DB
 * wrote are taken off the figure (twice: once for the log, once for the table they end in), so a
 * burst of rounds never outruns the cached value. The reading is kept that short because another
 * process may fill the disk too: at a few hundred MB/s a 100 ms cache could hide more than the
 * reserve. A round that would be refused re-reads at once, so space freed by someone else is seen
 * by the next round, not after a timeout.
 *
 * <p><b>Thread-safety:</b> used under the owning {@link LevelDb}'s combining lock only.
 */
final class DiskSpaceGuard {
  private static final Logger LOG = LoggerFactory.getLogger(DiskSpaceGuard.class);
  /** How long a usable-space reading is trusted (less what was written since). */
  static final long TTL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  /** The largest chunk either engine maps (and may allocate) ahead of its log's end. */
  static final long MAPPED_CHUNK = 1L << 20;
  /** MANIFEST edit, a new log's first block, CURRENT, the info LOG. */
  static final long SLACK = 64L << 10;
  private static final int LOG_BLOCK = 32 * 1024;
  private static final int LOG_HEADER = 7;

  private final Path directory;
  private final String storeName;
  private final long writeBuffer;
  private final LongSupplier usableSpace;
  private final LongSupplier nanoTime;

  private boolean read;
  private long readAt;
  /** Usable bytes at the last reading, less what was written since. */
  private long estimate;
  /** Whether the last check refused (logged once per episode). */
  private boolean refusing;
  private long refusedRounds;

  DiskSpaceGuard(Path directory, String storeName, long writeBuffer, LongSupplier usableSpace,
      LongSupplier nanoTime) {
    this.directory = directory;
    this.storeName = storeName;
    this.writeBuffer = writeBuffer;
    this.usableSpace = usableSpace;
    this.nanoTime = nanoTime;
  }

  /** The guard of {@code dir}'s file store, on the system clock. */
  static DiskSpaceGuard of(Path dir, long writeBuffer) {
    FileStore store;
    try {
      store = Files.getFileStore(dir);
    } catch (IOException e) {
      LOG.warn("LevelDB {}: cannot find its file store ({}); writes are not checked for free space",
          dir, e.toString());
      return new DiskSpaceGuard(dir, "?", writeBuffer, () -> Long.MAX_VALUE, System::nanoTime);
    }
    String name = store.type() + " " + store.name();
    return new DiskSpaceGuard(dir, name, writeBuffer, () -> {
      try {
        return store.getUsableSpace();
      } catch (IOException e) {
        return Long.MAX_VALUE; // unknown: never refuse on a failed statvfs
      }
    }, System::nanoTime);
  }

  /** The log record of a batch of {@code batchBytes}: one 7-byte header per 32 KiB block. */
  static long logBytes(long batchBytes) {
    return batchBytes + LOG_HEADER * (batchBytes / (LOG_BLOCK - LOG_HEADER) + 2);
  }

  /** Usable bytes a round of {@code batchBytes} needs; see the class comment. */
  long needed(long batchBytes) {
    return logBytes(batchBytes) + writeBuffer + batchBytes + MAPPED_CHUNK + SLACK;
  }

  /**
   * Null when a round of {@code batchBytes} may be written; else why not, naming the free space,
   * what is needed and the file system (the caller adds queue and directory).
   */
  String refusal(long batchBytes) {
    long need = needed(batchBytes);
    long now = nanoTime.getAsLong();
    if (!read || now - readAt >= TTL_NANOS || estimate < need) {
      estimate = usableSpace.getAsLong();
      readAt = now;
      read = true;
    }
    if (estimate >= need) {
      if (refusing) {
        refusing = false;
        LOG.info("LevelDB {}: {} usable on {} again; writes resume (refused {} write rounds "
            + "while the disk was full)", directory, size(estimate), storeName, refusedRounds);
        refusedRounds = 0;
      }
      return null;
    }
    refusedRounds++;
    String why = "the disk is full: " + size(estimate) + " usable on " + storeName + " (free space "
        + estimate + " bytes), LevelDB needs " + size(need) + " to write safely (" + size(batchBytes)
        + " for this round and a reserve for its log, a memtable flush of " + size(writeBuffer)
        + " and a mapped file chunk); writes resume by themselves when space is freed";
    if (!refusing) {
      refusing = true;
      LOG.warn("LevelDB {}: {}; refusing writes until then (reads and open queues are unaffected)",
          directory, why);
    }
    return why;
  }

  /** After a committed round of {@code batchBytes}: the log and, later, a table hold them. */
  void wrote(long batchBytes) {
    estimate -= 2 * logBytes(batchBytes);
  }

  /** Forget the cached figure (LevelDB itself reported no space): the next round re-reads. */
  void invalidate() {
    read = false;
  }

  /** The cached usable-space figure, for messages; reads it when there is none. */
  long usable() {
    if (!read) {
      estimate = usableSpace.getAsLong();
      readAt = nanoTime.getAsLong();
      read = true;
    }
    return estimate;
  }

  String storeName() {
    return storeName;
  }

  static String size(long bytes) {
    if (bytes == Long.MAX_VALUE) {
      return "unknown";
    }
    if (bytes < 1024) {
      return bytes + " B";
    }
    double v = bytes;
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
