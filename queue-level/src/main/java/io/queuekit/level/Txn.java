package io.queuekit.level;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.WriteBatch;
import org.iq80.leveldb.WriteOptions;

/**
 * The writes of one group-commit round: every operation of the round stages its puts and deletes
 * here and reads through them, so a later operation sees an earlier one's effects before they are
 * written (a push of the same bytes twice in one round is a duplicate). {@link #commit} writes them
 * all as one {@link WriteBatch}: either every operation of the round is stored, or none is.
 *
 * <p><b>Thread-safety:</b> confined to the holder of one {@link LevelDb}'s combining lock; the
 * DB's round reuses one instance ({@link #reset}), so nothing may keep it past its round.
 */
final class Txn {
  private static final byte[] DELETED = new byte[0];
  private static final WriteOptions SYNCED = new WriteOptions().sync(true);
  private static final WriteOptions UNSYNCED = new WriteOptions().sync(false);

  private final DB db;
  private final Map<Key, byte[]> changes = new LinkedHashMap<>();
  /** The batch's encoded size, at most (a key staged twice counts twice): see {@link #bytes}. */
  private long bytes;

  Txn(DB db) {
    this.db = db;
  }

  /** The value as this round left it, else as stored. */
  byte[] get(byte[] key) {
    byte[] v = changes.get(new Key(key));
    if (v != null) {
      return v == DELETED ? null : v;
    }
    return db.get(key);
  }

  void put(byte[] key, byte[] value) {
    changes.put(new Key(key), value);
    bytes += 11 + key.length + value.length; // tag, two varint lengths (5 bytes at most each)
  }

  void delete(byte[] key) {
    changes.put(new Key(key), DELETED);
    bytes += 6 + key.length; // tag, one varint length
  }

  /**
   * An upper bound of the size of the batch {@link #commit} would write: LevelDB's 12-byte batch
   * header and each staged put and delete as the batch encodes it.
   */
  long bytes() {
    return changes.isEmpty() ? 0 : 12 + bytes;
  }

  /** Forgets every staged change, for the next round (the map keeps its capacity). */
  void reset() {
    changes.clear();
    bytes = 0;
  }

  boolean isEmpty() {
    return changes.isEmpty();
  }

  /** Writes every staged change in one batch, synced to disk when {@code sync}. */
  void commit(boolean sync) {
    if (changes.isEmpty()) {
      return;
    }
    try (WriteBatch batch = db.createWriteBatch()) {
      for (Map.Entry<Key, byte[]> e : changes.entrySet()) {
        if (e.getValue() == DELETED) {
          batch.delete(e.getKey().bytes);
        } else {
          batch.put(e.getKey().bytes, e.getValue());
        }
      }
      db.write(batch, sync ? SYNCED : UNSYNCED);
    } catch (IOException e) {
      // Only closing the batch (freeing its native memory) declares IOException.
      throw new UncheckedIOException("closing a LevelDB write batch failed", e);
    }
  }

  /** A key compared by content. */
  private static final class Key {
    final byte[] bytes;
    final int hash;

    Key(byte[] bytes) {
      this.bytes = bytes;
      this.hash = Arrays.hashCode(bytes);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key && Arrays.equals(bytes, ((Key) o).bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
