package io.queuekit.benchmarks;

import static org.fusesource.leveldbjni.JniDBFactory.factory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.Options;
import org.iq80.leveldb.WriteBatch;
import org.iq80.leveldb.WriteOptions;

/**
 * The raw LevelDB baseline: leveldbjni called directly, the loop of feasibility.md §4b made
 * concurrent. Items live under an 8-byte big-endian sequence key; the head and tail counters live
 * in memory only (a real queue would persist them; this baseline does not, to be the floor).
 *
 * <ul>
 *   <li>put: under a lock, {@code db.put(key(tail++), item)} (a {@link WriteBatch} for several),
 *       so the tail only ever names written keys;
 *   <li>take: under the lock, reserve {@code head .. head+n-1}; then, outside it, {@code get} and
 *       {@code delete} each key.
 * </ul>
 *
 * <p>Same LevelDB options as queue-level's defaults ({@code createIfMissing} only: 4 MiB write
 * buffer, snappy), a fresh directory per store; {@code sync} as given.
 */
final class LevelDbStore implements RawStore {
  private final Path dir;
  private final DB db;
  private final WriteOptions write;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private long head; // guarded by lock
  private long tail; // guarded by lock

  LevelDbStore(boolean sync) throws IOException {
    this.dir = Files.createTempDirectory("queuekit-bench-leveldb-");
    this.db = factory.open(dir.toFile(), new Options().createIfMissing(true));
    this.write = new WriteOptions().sync(sync);
  }

  private static byte[] key(long seq) {
    return ByteBuffer.allocate(Long.BYTES).putLong(seq).array();
  }

  @Override
  public void put(List<byte[]> items) {
    lock.lock();
    try {
      if (items.size() == 1) {
        db.put(key(tail), items.get(0), write);
      } else {
        try (WriteBatch b = db.createWriteBatch()) {
          long t = tail;
          for (byte[] item : items) {
            b.put(key(t++), item);
          }
          db.write(b, write);
        } catch (IOException e) {
          throw new IllegalStateException("closing a LevelDB write batch", e);
        }
      }
      tail += items.size();
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<byte[]> take(int max, long waitNanos) throws InterruptedException {
    long first;
    int n;
    lock.lock();
    try {
      long left = waitNanos;
      while (head == tail) {
        if (left <= 0) {
          return List.of();
        }
        left = notEmpty.awaitNanos(left);
      }
      n = (int) Math.min(max, tail - head);
      first = head;
      head += n;
    } finally {
      lock.unlock();
    }
    List<byte[]> out = new ArrayList<>(n);
    for (long k = first; k < first + n; k++) {
      byte[] key = key(k);
      byte[] v = db.get(key);
      if (v == null) {
        throw new IllegalStateException("raw LevelDB: key " + k + " below the tail is missing");
      }
      db.delete(key, write);
      out.add(v);
    }
    return out;
  }

  @Override
  public String describe() {
    lock.lock();
    try {
      return "raw LevelDB: head " + head + ", tail " + tail;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() throws IOException {
    db.close();
    factory.destroy(dir.toFile(), new Options());
    Files.deleteIfExists(dir);
  }
}
