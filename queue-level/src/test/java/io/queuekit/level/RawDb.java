package io.queuekit.level;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.Options;

/**
 * A LevelDB directory opened directly, as an operator's tool or a crash would touch it: for tests
 * that look at or damage the stored layout. Open only while no queue holds the directory.
 */
final class RawDb implements AutoCloseable {
  final DB db;

  private RawDb(DB db) {
    this.db = db;
  }

  static RawDb open(Path dir, Engine engine) {
    try {
      return new RawDb(engine.factory().open(dir.toFile(), new Options().createIfMissing(true)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every key of one queue, in order. */
  List<byte[]> keysOf(Keys keys) {
    List<byte[]> out = new ArrayList<>();
    try (DBIterator it = db.iterator()) {
      for (it.seek(keys.prefix()); it.hasNext(); ) {
        Map.Entry<byte[], byte[]> e = it.next();
        if (!keys.owns(e.getKey())) {
          break;
        }
        out.add(e.getKey());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The keys of one queue with one tag. */
  List<byte[]> keysOf(Keys keys, byte tag) {
    List<byte[]> out = new ArrayList<>();
    for (byte[] k : keysOf(keys)) {
      if (keys.tag(k) == tag) {
        out.add(k);
      }
    }
    return out;
  }

  /** Every key in the DB. */
  List<byte[]> allKeys() {
    List<byte[]> out = new ArrayList<>();
    try (DBIterator it = db.iterator()) {
      for (it.seekToFirst(); it.hasNext(); ) {
        out.add(it.next().getKey());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static String tags(Keys keys, List<byte[]> ks) {
    StringBuilder sb = new StringBuilder();
    for (byte[] k : ks) {
      sb.append((char) keys.tag(k));
    }
    return sb.toString();
  }

  static boolean contains(List<byte[]> ks, byte[] key) {
    return ks.stream().anyMatch(k -> Arrays.equals(k, key));
  }

  @Override
  public void close() {
    try {
      db.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
