package io.queuekit.level;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.Range;
import org.iq80.leveldb.ReadOptions;
import org.iq80.leveldb.Snapshot;
import org.iq80.leveldb.WriteBatch;
import org.iq80.leveldb.WriteOptions;

/**
 * The pure-Java engine's DB with its reads made safe against its own compactions.
 *
 * <p>iq80 0.12 reads the current version of the file set without retaining it: {@code get} looks
 * it up outside its lock, and an iterator opens the tables of levels 1 and up only when it reaches
 * them. A compaction that finishes in between installs a newer version and deletes the tables it
 * replaced, so the read fails with {@code "Could not open table N"} caused by a missing file,
 * although every record it wanted is in the newer tables. (The native engine references the
 * version it reads, as LevelDB's C++ does.) Seen in CI as an open that failed reading its meta
 * record right after the DB opened, while the compaction scheduled by the open ran.
 *
 * <p>So a read that fails that way is read again, from the then current version: a {@code get} is
 * repeated; an iterator is reopened and positioned after the last key it returned. A table that is
 * really gone (a damaged directory) fails every attempt, and after {@value #ATTEMPTS} the failure
 * is thrown as it came. No library does this: the fix belongs in iq80, which has had no release
 * since 0.12.
 *
 * <p>Iterators are forward only ({@code seek}, {@code seekToFirst}, {@code hasNext}, {@code next},
 * {@code peekNext}), which is all the queue's scans use. A reopened iterator reads the DB as it
 * is then, not as it was when the scan began: the queue's scans run under the DB's combining
 * lock, which every write also takes, so no write falls between the two. <b>Thread-safety:</b> as the wrapped DB;
 * an iterator is confined to one thread.
 */
final class Iq80ReadRetry implements DB {
  static final int ATTEMPTS = 5;

  private final DB db;
  /** Reads done again so far: what the race cost, and the test's proof that it was met. */
  private final AtomicLong retries = new AtomicLong();

  Iq80ReadRetry(DB db) {
    this.db = db;
  }

  /** How many reads were done again because a compaction deleted a table under them. */
  long retries() {
    return retries.get();
  }

  /** Whether {@code e} is iq80 failing to open a table file that is not there. */
  static boolean isTableGone(RuntimeException e) {
    return String.valueOf(e.getMessage()).startsWith("Could not open table ")
        && (e.getCause() instanceof FileNotFoundException
            || e.getCause() instanceof NoSuchFileException);
  }

  @Override
  public byte[] get(byte[] key) {
    return get(key, new ReadOptions());
  }

  @Override
  public byte[] get(byte[] key, ReadOptions options) {
    for (int attempt = 1; ; attempt++) {
      try {
        return db.get(key, options);
      } catch (RuntimeException e) {
        if (attempt >= ATTEMPTS || !isTableGone(e)) {
          throw e;
        }
        retries.incrementAndGet();
      }
    }
  }

  @Override
  public DBIterator iterator() {
    return new ForwardIterator(new ReadOptions());
  }

  @Override
  public DBIterator iterator(ReadOptions options) {
    return new ForwardIterator(options);
  }

  @Override
  public void put(byte[] key, byte[] value) {
    db.put(key, value);
  }

  @Override
  public void delete(byte[] key) {
    db.delete(key);
  }

  @Override
  public void write(WriteBatch updates) {
    db.write(updates);
  }

  @Override
  public WriteBatch createWriteBatch() {
    return db.createWriteBatch();
  }

  @Override
  public Snapshot put(byte[] key, byte[] value, WriteOptions options) {
    return db.put(key, value, options);
  }

  @Override
  public Snapshot delete(byte[] key, WriteOptions options) {
    return db.delete(key, options);
  }

  @Override
  public Snapshot write(WriteBatch updates, WriteOptions options) {
    return db.write(updates, options);
  }

  @Override
  public Snapshot getSnapshot() {
    return db.getSnapshot();
  }

  @Override
  public long[] getApproximateSizes(Range... ranges) {
    return db.getApproximateSizes(ranges);
  }

  @Override
  public String getProperty(String name) {
    return db.getProperty(name);
  }

  @Override
  public void suspendCompactions() throws InterruptedException {
    db.suspendCompactions();
  }

  @Override
  public void resumeCompactions() {
    db.resumeCompactions();
  }

  @Override
  public void compactRange(byte[] begin, byte[] end) {
    db.compactRange(begin, end);
  }

  @Override
  public void close() throws IOException {
    db.close();
  }

  /**
   * A forward iterator that, when its version's table is gone, reopens on the current version and
   * seeks past the last key it returned (or to where it was positioned, before the first).
   */
  private final class ForwardIterator implements DBIterator {
    private final ReadOptions options;
    private DBIterator it;
    /** Where the caller positioned it: a key, or null for the first. */
    private byte[] start;
    /** The last key {@link #next} returned, or null. */
    private byte[] last;

    ForwardIterator(ReadOptions options) {
      this.options = options;
      this.it = db.iterator(options);
    }

    @Override
    public void seek(byte[] key) {
      start = key.clone();
      last = null;
      retrying(() -> {
        it.seek(start);
        return null;
      });
    }

    @Override
    public void seekToFirst() {
      start = null;
      last = null;
      retrying(() -> {
        it.seekToFirst();
        return null;
      });
    }

    @Override
    public boolean hasNext() {
      return retrying(() -> it.hasNext());
    }

    @Override
    public Map.Entry<byte[], byte[]> next() {
      Map.Entry<byte[], byte[]> e = retrying(() -> it.next());
      last = e.getKey();
      return e;
    }

    @Override
    public Map.Entry<byte[], byte[]> peekNext() {
      return retrying(() -> it.peekNext());
    }

    /**
     * {@code read} must name {@link #it} in its body (a lambda, not a method reference bound to
     * one iterator), so that a try after {@link #reopen} reads the new iterator.
     */
    private <T> T retrying(Supplier<T> read) {
      for (int attempt = 1; ; attempt++) {
        try {
          if (attempt > 1) {
            reopen();
          }
          return read.get();
        } catch (RuntimeException e) {
          if (attempt >= ATTEMPTS || !isTableGone(e)) {
            throw e;
          }
          retries.incrementAndGet();
        }
      }
    }

    /** A new iterator on the current version, at the same place in the key order. */
    private void reopen() {
      DBIterator old = it;
      it = db.iterator(options);
      try {
        old.close();
      } catch (IOException e) {
        // iq80's close releases only memory and declares no failure it could raise
        throw new UncheckedIOException(e);
      }
      if (last != null) {
        it.seek(last);
        if (it.hasNext() && Arrays.equals(it.peekNext().getKey(), last)) {
          it.next();
        }
      } else if (start != null) {
        it.seek(start);
      } else {
        it.seekToFirst();
      }
    }

    @Override
    public void close() throws IOException {
      it.close();
    }

    @Override
    public boolean hasPrev() {
      throw backwards();
    }

    @Override
    public Map.Entry<byte[], byte[]> prev() {
      throw backwards();
    }

    @Override
    public Map.Entry<byte[], byte[]> peekPrev() {
      throw backwards();
    }

    @Override
    public void seekToLast() {
      throw backwards();
    }

    private static UnsupportedOperationException backwards() {
      return new UnsupportedOperationException("queuekit's iq80 iterators read forward only");
    }
  }

}
