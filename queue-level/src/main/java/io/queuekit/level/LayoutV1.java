package io.queuekit.level;

import io.queuekit.level.Records.Entry;
import io.queuekit.level.Records.Meta;
import io.queuekit.level.Records.State;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBException;
import org.iq80.leveldb.DBIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Layout version 1 and its migration to version 2, run when such a queue is opened.
 *
 * <h2>What version 1 stored</h2>
 *
 * Keys as in version 2 (see {@link LevelQueue}), with these values where version 2 differs:
 *
 * <pre>
 *  tag  suffix                           value                                          what
 *  ───  ───────────────────────────────  ─────────────────────────────────────────────  ─────────────────────────
 *  'M'  —                                i32 version (1) | 's' or 'u'                   layout version, flavour
 *  'S'  —                                i64 head | i64 tail | i64 nextSeq |            positions, sequence,
 *                                          i64 deadDropped                                dropped dead letters
 *  'I'  sortable(itemId)                 i64 firstPushed | u8 n | digest[n] | payload    the item, written once
 *  'R', 'D', 'F'                         entry1                                         as in version 2
 *
 * entry1 = i64 itemId | i32 deliveries | i32 recoveries | digest[32] (unique queues only)
 * </pre>
 *
 * <h2>Migration</h2>
 *
 * Every {@code 'D'}, {@code 'F'} and {@code 'R'} key is visited once, in key order, in write
 * rounds of at most {@link #CHUNK_ITEMS} entries or {@link #CHUNK_BYTES} of payload. Per entry, in
 * one round: the version-2 entry (its counts, and the first-pushed time, digest and payload of its
 * {@code 'I'} record) overwrites it, and the {@code 'I'} record is deleted. The same round writes
 * the meta record as version 2 with the last key it migrated, so a crash between rounds leaves
 * every entry up to that key in version 2 and every entry after it in version 1, and opening again
 * goes on after that key: nothing is migrated twice or skipped; and a queuekit that reads only
 * version 1 refuses the half-migrated queue (a newer version) instead of misreading its entries.
 * The last round also rewrites the state record (the sequence goes on from version 1's {@code
 * nextSeq}) and the meta record as version 2 without a key. What version 1's open-time check repaired is repaired the same way: an entry whose
 * item record is missing is deleted, the second entry naming an item is deleted, and an item record
 * no entry names is left for {@link QueueState#load} to put back at the tail.
 *
 * <p>A queue without a meta record but with {@code 'I'} records is taken to be version 1.
 *
 * <p><b>Thread-safety:</b> each round runs under the DB's combining lock; the queue is not yet
 * open to callers while it migrates.
 */
final class LayoutV1 {
  private static final Logger LOG = LoggerFactory.getLogger(LayoutV1.class);

  static final int VERSION = 1;
  static final int CHUNK_ITEMS = 512;
  static final long CHUNK_BYTES = 8L << 20;

  private LayoutV1() {}

  /** A version-1 item record. */
  record ItemRecord(long firstPushedNanos, byte[] digest, byte[] payload) {
    byte[] encode() {
      int d = digest == null ? 0 : Records.DIGEST_BYTES;
      byte[] b = new byte[9 + d + payload.length];
      Keys.putLong(b, 0, firstPushedNanos);
      b[8] = (byte) d;
      if (digest != null) {
        System.arraycopy(digest, 0, b, 9, d);
      }
      System.arraycopy(payload, 0, b, 9 + d, payload.length);
      return b;
    }

    static ItemRecord decode(byte[] b) {
      if (b.length < 9 || (b[8] != 0 && b[8] != Records.DIGEST_BYTES) || b.length < 9 + b[8]) {
        throw new IllegalArgumentException("item record of " + b.length + " bytes is malformed");
      }
      int d = b[8];
      return new ItemRecord(Keys.getLong(b, 0),
          d == 0 ? null : Arrays.copyOfRange(b, 9, 9 + d),
          Arrays.copyOfRange(b, 9 + d, b.length));
    }
  }

  /** A version-1 index entry. */
  record Entry1(long itemId, int deliveries, int recoveries, byte[] digest) {
    byte[] encode() {
      byte[] b = new byte[16 + (digest == null ? 0 : Records.DIGEST_BYTES)];
      Keys.putLong(b, 0, itemId);
      Keys.putInt(b, 8, deliveries);
      Keys.putInt(b, 12, recoveries);
      if (digest != null) {
        System.arraycopy(digest, 0, b, 16, Records.DIGEST_BYTES);
      }
      return b;
    }

    static Entry1 decode(byte[] b) {
      if (b.length != 16 && b.length != 16 + Records.DIGEST_BYTES) {
        throw new IllegalArgumentException("index entry of " + b.length + " bytes; expected 16 or "
            + (16 + Records.DIGEST_BYTES));
      }
      return new Entry1(Keys.getLong(b, 0), Keys.getInt(b, 8), Keys.getInt(b, 12),
          b.length == 16 ? null : Arrays.copyOfRange(b, 16, b.length));
    }
  }

  /** The version-1 state record. */
  record State1(long head, long tail, long nextSeq, long deadDropped) {
    static final int BYTES = 32;

    byte[] encode() {
      byte[] b = new byte[BYTES];
      Keys.putLong(b, 0, head);
      Keys.putLong(b, 8, tail);
      Keys.putLong(b, 16, nextSeq);
      Keys.putLong(b, 24, deadDropped);
      return b;
    }

    static State1 decode(byte[] b) {
      if (b.length != BYTES) {
        throw new IllegalArgumentException("state of " + b.length + " bytes; expected " + BYTES);
      }
      return new State1(Keys.getLong(b, 0), Keys.getLong(b, 8), Keys.getLong(b, 16),
          Keys.getLong(b, 24));
    }
  }

  /**
   * Migrates {@code state}'s queue if it is stored in version 1 ({@code meta} as read, or null),
   * in rounds of at most {@code chunkItems} entries, stopping after {@code maxRounds} rounds (a
   * test's crash; otherwise unbounded). Returns what it repaired, in words (each logged at WARN).
   */
  static List<String> migrate(LevelDb db, QueueState state, Meta meta, int chunkItems,
      int maxRounds) {
    List<String> repairs = new ArrayList<>();
    Keys keys = state.keys;
    boolean v1 = meta != null
        ? meta.version() < QueueState.LAYOUT_VERSION || meta.migrated() != null
        : hasItemRecords(db.raw(), keys);
    if (!v1) {
      return repairs;
    }
    LOG.info("queue \"{}\" (storage name {}) in LevelDB {} is stored in layout version 1; "
        + "migrating it to version {} (the payload moves into its entry){}", state.queue,
        keys.name(), db.directory(), QueueState.LAYOUT_VERSION,
        meta != null && meta.migrated() != null ? ", going on from where it stopped" : "");
    if (meta == null) {
      String r = "its meta record was missing or malformed; taken as layout 1, whose item records "
          + "it holds";
      repairs.add(r);
      LOG.warn("queue \"{}\" (storage name {}) in LevelDB {}: {}", state.queue, keys.name(),
          db.directory(), r);
    }
    byte[][] cursor = {meta == null ? null : meta.migrated()};
    long[] migrated = {0};
    for (int round = 0; round < maxRounds; round++) {
      boolean done = db.call(state, t -> {
        Step s = step(t, db.raw(), keys, state.unique, cursor[0], chunkItems);
        for (String r : s.repairs) {
          repairs.add(r);
          LOG.warn("queue \"{}\" (storage name {}) in LevelDB {}: {}", state.queue, keys.name(),
              db.directory(), r);
        }
        migrated[0] += s.migrated;
        if (s.last == null) {
          finish(t, keys, state.unique);
          return true;
        }
        cursor[0] = s.last;
        t.put(keys.meta(), new Meta(QueueState.LAYOUT_VERSION, state.unique, s.last).encode());
        return false;
      });
      if (done) {
        LOG.info("queue \"{}\": migrated {} items to layout version {}", state.queue,
            migrated[0], QueueState.LAYOUT_VERSION);
        return repairs;
      }
    }
    return repairs;
  }

  private static boolean hasItemRecords(DB raw, Keys keys) {
    byte[] from = sectionStart(keys, Keys.ITEM);
    try (DBIterator it = raw.iterator()) {
      it.seek(from);
      if (!it.hasNext()) {
        return false;
      }
      byte[] k = it.next().getKey();
      return keys.owns(k) && keys.tag(k) == Keys.ITEM;
    } catch (IOException e) {
      throw new DBException("closing a LevelDB iterator failed", e);
    }
  }

  private static byte[] sectionStart(Keys keys, byte tag) {
    byte[] p = keys.prefix();
    byte[] k = Arrays.copyOf(p, p.length + 1);
    k[p.length] = tag;
    return k;
  }

  /** What one round did; {@code last} is null when no entry is left after it. */
  private record Step(byte[] last, long migrated, List<String> repairs) {}

  private static Step step(Txn t, DB raw, Keys keys, boolean unique, byte[] after,
      int chunkItems) {
    byte[] prefix = keys.prefix();
    byte[] from = after == null ? sectionStart(keys, Keys.DELAYED) : concat(prefix, after);
    List<String> repairs = new ArrayList<>();
    long migrated = 0;
    long bytes = 0;
    int visited = 0;
    byte[] last = null;
    boolean more = false;
    try (DBIterator it = raw.iterator()) {
      it.seek(from);
      while (it.hasNext()) {
        Map.Entry<byte[], byte[]> kv = it.next();
        byte[] k = kv.getKey();
        if (!keys.owns(k) || keys.tag(k) > Keys.READY) {
          break;
        }
        if (after != null && Arrays.equals(k, from)) {
          continue;
        }
        byte tag = keys.tag(k);
        if (tag != Keys.DELAYED && tag != Keys.FLIGHT && tag != Keys.READY) {
          continue; // 'I' and 'M' lie between the entry sections
        }
        if (visited >= chunkItems || bytes >= CHUNK_BYTES) {
          more = true;
          break;
        }
        visited++;
        last = Arrays.copyOfRange(k, prefix.length, k.length);
        if (k.length != keys.expectedLength(tag)) {
          continue; // not a version-1 key; the open-time check reports it
        }
        Entry1 e;
        try {
          e = Entry1.decode(kv.getValue());
        } catch (IllegalArgumentException bad) {
          continue; // malformed in version 1 too; the open-time check deletes and reports it
        }
        byte[] itemKey = keys.item(e.itemId());
        byte[] rec = t.get(itemKey);
        ItemRecord item = null;
        if (rec != null) {
          try {
            item = ItemRecord.decode(rec);
          } catch (IllegalArgumentException bad) {
            t.delete(itemKey);
            repairs.add("record under tag 'I' is malformed (" + bad.getMessage() + "); deleted");
          }
        }
        if (item == null) {
          t.delete(k);
          repairs.add(what(keys, k) + " names item #" + e.itemId() + ", whose record is missing "
              + "(a crash or a manual edit); entry deleted");
          continue;
        }
        // As version 1's check did: a unique queue's entry takes its record's digest.
        byte[] digest = unique ? (item.digest() != null ? item.digest() : e.digest()) : null;
        t.put(k, new Entry(e.itemId(), e.deliveries(), e.recoveries(), item.firstPushedNanos(),
            digest).encode(item.payload()));
        t.delete(itemKey);
        migrated++;
        bytes += item.payload().length;
      }
    } catch (IOException e) {
      throw new DBException("closing a LevelDB iterator failed", e);
    }
    return new Step(more ? last : null, migrated, repairs);
  }

  /** The last round: the state record in version 2, then the meta record says version 2. */
  private static void finish(Txn t, Keys keys, boolean unique) {
    byte[] raw = t.get(keys.state());
    if (raw != null && raw.length == State1.BYTES) {
      State1 s = State1.decode(raw);
      t.put(keys.state(), new State(s.nextSeq(), s.deadDropped()).encode());
    }
    t.put(keys.meta(), new Meta(QueueState.LAYOUT_VERSION, unique).encode());
  }

  private static String what(Keys keys, byte[] k) {
    switch (keys.tag(k)) {
      case Keys.READY:
        return "ready entry at position " + keys.firstNumber(k);
      case Keys.DELAYED:
        return "delayed entry due at " + Records.instant(keys.firstNumber(k));
      default:
        return "in-flight entry of delivery " + keys.firstNumber(k);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
