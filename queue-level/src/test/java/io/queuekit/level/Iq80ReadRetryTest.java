package io.queuekit.level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pure-Java engine's reads race its compactions (CI saw "Could not open table 8" reading a
 * meta record right after an open): a real iq80 DB with a 4 KiB write buffer compacts all the
 * time while readers go at it through the raw handle and through {@link Iq80ReadRetry}, until the
 * wrapper has read something again. The raw readers fail on the race; the retrying ones must
 * never fail, and every scan must return every key once, in order.
 */
class Iq80ReadRetryTest {
  private static final int KEYS = 200;

  @TempDir Path dir;

  @Test
  void readsThatRaceACompactionAreReadAgainFromTheNewerFiles() throws Exception {
    DB raw = Engine.JAVA.factory().open(dir.toFile(),
        new Options().createIfMissing(true).writeBufferSize(4096));
    Iq80ReadRetry retrying = new Iq80ReadRetry(raw);
    byte[] value = new byte[100];
    for (int i = 0; i < KEYS; i++) {
      raw.put(key(i), value);
    }
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong rawFailures = new AtomicLong();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicLong retryingReads = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    threads.add(new Thread(() -> {
      Random r = new Random(1);
      while (!stop.get()) {
        raw.put(key(r.nextInt(KEYS)), value);
      }
    }));
    threads.add(new Thread(() -> {
      Random r = new Random(2);
      while (!stop.get()) {
        try {
          raw.get(key(r.nextInt(KEYS)));
        } catch (RuntimeException e) {
          if (!Iq80ReadRetry.isTableGone(e)) {
            failures.add(e);
          }
          rawFailures.incrementAndGet();
        }
      }
    }));
    threads.add(new Thread(() -> {
      Random r = new Random(3);
      while (!stop.get()) {
        try {
          assertThat(retrying.get(key(r.nextInt(KEYS)))).isNotNull();
          retryingReads.incrementAndGet();
        } catch (Throwable e) {
          failures.add(e);
        }
      }
    }));
    threads.add(new Thread(() -> {
      while (!stop.get()) {
        try (DBIterator it = retrying.iterator()) {
          it.seekToFirst();
          int i = 0;
          while (it.hasNext()) {
            Map.Entry<byte[], byte[]> e = it.next();
            assertThat(new String(e.getKey(), StandardCharsets.UTF_8))
                .isEqualTo(new String(key(i++), StandardCharsets.UTF_8));
          }
          assertThat(i).isEqualTo(KEYS);
        } catch (Throwable e) {
          failures.add(e);
        }
      }
    }));
    threads.forEach(Thread::start);
    try {
      await().atMost(Duration.ofSeconds(120)).pollDelay(Duration.ZERO)
          .until(() -> retrying.retries() >= 1 || !failures.isEmpty());
    } finally {
      stop.set(true);
      for (Thread t : threads) {
        t.join();
      }
      raw.close();
    }
    assertThat(failures).as("reads through Iq80ReadRetry (the raw readers failed %d times)",
        rawFailures.get()).isEmpty();
    assertThat(retryingReads.get()).isPositive();
  }

  private static byte[] key(int i) {
    return String.format("k%05d", i).getBytes(StandardCharsets.UTF_8);
  }
}
