package io.queuekit.benchmarks;

import com.squareup.tape2.QueueFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Tape baseline: Square's {@link QueueFile} (tape2 2.0.0-beta1), the file queue Android apps
 * and small services use for durable FIFO work. Its own sync semantics: the file is opened in
 * {@code rwd} mode, so every {@code add} writes the element and then the header synchronously
 * (two synced writes per item; it has no batched add), and {@code remove(n)} drops n elements
 * with one synced header write.
 *
 * <p>A {@code QueueFile} is not thread-safe, so one lock guards it, as a user would: take reads up
 * to n elements through its iterator and removes them with one {@code remove(n)} under the lock.
 */
final class TapeStore implements RawStore {
  private final Path dir;
  private final QueueFile file;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();

  TapeStore() throws IOException {
    this.dir = Files.createTempDirectory("queuekit-bench-tape-");
    this.file = new QueueFile.Builder(dir.resolve("queue").toFile()).build();
  }

  @Override
  public void put(List<byte[]> items) {
    lock.lock();
    try {
      for (byte[] item : items) {
        file.add(item);
      }
      notEmpty.signalAll();
    } catch (IOException e) {
      throw new UncheckedIOException("Tape add", e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<byte[]> take(int max, long waitNanos) throws InterruptedException {
    lock.lock();
    try {
      long left = waitNanos;
      while (file.isEmpty()) {
        if (left <= 0) {
          return List.of();
        }
        left = notEmpty.awaitNanos(left);
      }
      int n = Math.min(max, file.size());
      List<byte[]> out = new ArrayList<>(n);
      Iterator<byte[]> it = file.iterator();
      while (out.size() < n) {
        out.add(it.next());
      }
      file.remove(n);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("Tape read or remove", e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String describe() {
    lock.lock();
    try {
      return "Tape: " + file.size() + " elements";
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() throws IOException {
    file.close();
    Files.deleteIfExists(dir.resolve("queue"));
    Files.deleteIfExists(dir);
  }
}
