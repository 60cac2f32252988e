package io.queuekit.level;

import io.queuekit.internal.Nanos;
import io.queuekit.internal.Previews;
import io.queuekit.level.QueueState.DelayKey;
import io.queuekit.level.Records.DeadRecord;
import io.queuekit.level.Records.Entry;
import io.queuekit.level.Records.Meta;
import io.queuekit.level.Records.State;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBException;
import org.iq80.leveldb.DBIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open-time load of one queue's {@link QueueState}: scans every key under the queue's prefix
 * once, checks the invariants (each item named by one entry, ready positions without gaps, the
 * sequence above every id handed out, the unique set exactly the waiting items' digests, the
 * meta record), stages a repair for what a crash or a manual edit left (each in words, logged at
 * WARN and kept in {@link QueueState#repairs()}), and, when asked, recovers the items left in
 * flight (docs/DESIGN.md §3.6, §3.10). It fills the state's fields directly: the state is what a
 * running queue keeps, this is how it comes to be.
 *
 * <p><b>Thread-safety:</b> runs under the {@link LevelDb}'s combining lock, in one round, like
 * every change of the state; one instance per load. <b>Ordering:</b> recovered items go back to
 * the head in claim order. <b>Durability:</b> the repairs are staged in the round's {@link Txn}
 * and commit with it; a failed round leaves the DB as it was.
 */
final class StateLoader {
  // the state's logger: the repairs' log lines keep the category operators know
  private static final Logger LOG = LoggerFactory.getLogger(QueueState.class);

  private final QueueState q;

  StateLoader(QueueState q) {
    this.q = q;
  }

  /**
   * Reads this queue's keys from the DB into memory, checks its invariants and stages repairs for
   * what a crash or a manual edit left (each logged at WARN); with {@code recover}, also moves
   * every in-flight item back to the head (recovery count + 1), or to the dead-letter store when it
   * reaches {@code MAX_RECOVERIES}. The meta record has been checked by the caller.
   */
  void load(Txn t, DB raw, boolean recover) {
    q.head = 0;
    q.tail = 0;
    q.nextSeq = 0;
    q.seqLimit = 0;
    q.deadDropped = 0;
    q.delayed.clear();
    q.flights.clear();
    q.deadIds.clear();
    q.waitingSince.clear();
    q.repairs.clear();
    Scan s = scan(raw);
    q.found = new CleanClose.Counts(s.ready.size() + s.delayed.size() + s.items.size(),
        s.flights.size(), s.dead.size());
    for (byte[] k : s.malformed) {
      t.delete(k);
    }
    for (String b : s.bad) {
      repair(t, b);
    }

    long maxSeq = -1;
    Set<Long> referenced = new HashSet<>();
    TreeMap<Long, Entry> ready = new TreeMap<>();
    for (Map.Entry<Long, Entry> r : s.ready.entrySet()) {
      if (checkEntry(t, referenced, q.keys.ready(r.getKey()), "ready entry at position "
          + r.getKey(), r.getValue())) {
        ready.put(r.getKey(), r.getValue());
      }
    }
    for (Map.Entry<DelayKey, Entry> d : s.delayed.entrySet()) {
      DelayKey k = d.getKey();
      if (checkEntry(t, referenced, q.keys.delayed(k.due(), k.order()), "delayed entry due at "
          + Records.instant(k.due()), d.getValue())) {
        q.delayed.put(k, d.getValue());
        q.addWaiting(d.getValue().firstPushedNanos());
        maxSeq = Math.max(maxSeq, k.order());
      }
    }
    TreeMap<Long, Entry> inFlight = new TreeMap<>();
    for (Map.Entry<Long, Entry> f : s.flights.entrySet()) {
      if (checkEntry(t, referenced, q.keys.flight(f.getKey()), "in-flight entry of delivery "
          + f.getKey(), f.getValue())) {
        inFlight.put(f.getKey(), f.getValue());
        maxSeq = Math.max(maxSeq, f.getKey());
      }
    }
    for (long id : referenced) {
      maxSeq = Math.max(maxSeq, id);
    }
    for (long id : s.items.keySet()) {
      maxSeq = Math.max(maxSeq, id);
    }
    for (long id : s.dead) {
      maxSeq = Math.max(maxSeq, id);
      q.deadIds.add(id);
    }

    // Sequence. Head and tail are not stored: the ready keys say where they are.
    if (s.state != null) {
      q.nextSeq = s.state.seqLimit();
      q.deadDropped = s.state.deadDropped();
    } else if (s.anyKey) {
      repair(t, "its state record (sequence, dropped dead letters) was missing or malformed; "
          + "rebuilt from the stored entries");
    }
    if ((s.state == null && s.anyKey) || q.nextSeq <= maxSeq) {
      // Settled deliveries leave no key behind, so the highest stored id says nothing about the
      // delivery ids already handed out; jump far past it so none is used twice.
      long from = q.nextSeq;
      q.nextSeq = Nanos.add(Math.max(maxSeq, -1) + 1, QueueState.SEQUENCE_GAP);
      repair(t, "its sequence (" + (s.state == null ? "lost" : Long.toString(from)) + ") was not "
          + "known to be above every id it handed out (highest stored: " + maxSeq + "); moved to "
          + q.nextSeq + " so no id is used twice");
    }
    // The first number handed out reserves the next block, and writes the state record with it.
    q.seqLimit = q.nextSeq;
    long count = ready.size();
    q.head = ready.isEmpty() ? 0 : ready.firstKey();
    q.tail = ready.isEmpty() ? 0 : ready.lastKey() + 1;
    if (count != q.tail - q.head) {
      String was = count + " ready entries stored at positions " + q.head + ".." + (q.tail - 1);
      List<byte[]> raws = new ArrayList<>();
      for (long pos : ready.keySet()) {
        raws.add(t.get(q.keys.ready(pos)));
      }
      for (long pos : ready.keySet()) {
        t.delete(q.keys.ready(pos));
      }
      long pos = q.head;
      for (byte[] v : raws) {
        t.put(q.keys.ready(pos++), v);
      }
      repair(t, "its ready positions had gaps (" + was + "); renumbered the " + count
          + " stored entries from position " + q.head);
      q.tail = pos;
      // Re-key the map to the new positions for the checks below.
      TreeMap<Long, Entry> renumbered = new TreeMap<>();
      long p = q.head;
      for (Entry e : ready.values()) {
        renumbered.put(p++, e);
      }
      ready = renumbered;
    }
    for (Entry e : ready.values()) {
      q.addWaiting(e.firstPushedNanos());
    }

    // Item records of layout 1 that no entry named (the migration leaves them): nothing says where
    // they were, so they wait again at the tail (at-least-once: a record is never thrown away just
    // because its entry is gone).
    for (Map.Entry<Long, LayoutV1.ItemRecord> i : new TreeMap<>(s.items).entrySet()) {
      t.delete(q.keys.item(i.getKey()));
      if (referenced.contains(i.getKey())) {
        repair(t, "item record #" + i.getKey() + " of layout 1 was left beside the entry that "
            + "holds its payload; deleted");
        continue;
      }
      LayoutV1.ItemRecord rec = i.getValue();
      Entry e = new Entry(i.getKey(), 0, 0, rec.firstPushedNanos(), q.unique ? rec.digest() : null);
      long pos = q.tail++;
      t.put(q.keys.ready(pos), e.encode(rec.payload()));
      ready.put(pos, e);
      q.addWaiting(e.firstPushedNanos());
      repair(t, "item #" + i.getKey() + " had no ready, delayed or in-flight entry; put back at "
          + "the tail");
    }

    reconcileUnique(t, s, ready);

    if (recover) {
      recover(t, inFlight);
    } else {
      q.flights.putAll(inFlight);
    }

    if (q.deadIds.size() > q.settings.deadLetterLength()) {
      q.enforceDeadCap(t);
    }
    if (s.meta == null || s.meta.version() != QueueState.LAYOUT_VERSION || s.meta.migrated() != null) {
      if (s.anyKey && s.meta == null) {
        repair(t, "its meta record was missing or malformed; rewritten as layout "
            + QueueState.LAYOUT_VERSION + ", " + Meta.flavour(q.unique));
      }
      t.put(q.keys.meta(), new Meta(QueueState.LAYOUT_VERSION, q.unique).encode());
    }
    q.dirty = true;
    q.loaded = true;
  }

  private void repair(Txn t, String what) {
    q.repairs.add(what);
    LOG.warn("queue \"{}\" (storage name {}) in LevelDB {}: {}", q.queue, q.keys.name(),
        q.db.directory(), what);
  }

  /** Keeps an entry iff no earlier entry names the same item. */
  private boolean checkEntry(Txn t, Set<Long> referenced, byte[] key, String what, Entry e) {
    if (!referenced.add(e.itemId())) {
      t.delete(key);
      repair(t, what + " names item #" + e.itemId() + ", which another entry already names; "
          + "entry deleted");
      return false;
    }
    return true;
  }

  /** Makes the unique set exactly the waiting items' digests, each naming its item's place. */
  private void reconcileUnique(Txn t, Scan s, TreeMap<Long, Entry> ready) {
    Map<ByteBuffer, byte[]> expected = new HashMap<>();
    if (q.unique) {
      for (Map.Entry<Long, Entry> r : ready.entrySet()) {
        expect(t, expected, r.getValue(), QueueState.readyLoc(r.getKey()), "ready position " + r.getKey());
      }
      for (Map.Entry<DelayKey, Entry> d : q.delayed.entrySet()) {
        expect(t, expected, d.getValue(), QueueState.delayedLoc(d.getKey()), "delayed entry due at "
            + Records.instant(d.getKey().due()));
      }
    }
    for (Map.Entry<ByteBuffer, byte[]> m : s.members.entrySet()) {
      byte[] digest = bytes(m.getKey());
      byte[] want = expected.remove(m.getKey());
      if (want == null) {
        t.delete(q.keys.unique(digest));
        repair(t, q.unique
            ? "unique member " + Keys.shortHex(digest) + " had no waiting item (a crash or a "
                + "manual edit; Gitea's \"already in queue\" ghost); removed, so the item can be "
                + "pushed again"
            : "unique member " + Keys.shortHex(digest) + " found in a simple queue; removed");
      } else if (!Arrays.equals(want, m.getValue())) {
        t.put(q.keys.unique(digest), want);
        repair(t, "unique member " + Keys.shortHex(digest) + " named the wrong place; corrected");
      }
    }
    for (Map.Entry<ByteBuffer, byte[]> missing : expected.entrySet()) {
      t.put(q.keys.unique(bytes(missing.getKey())), missing.getValue());
      repair(t, "a waiting item with digest " + Keys.shortHex(bytes(missing.getKey()))
          + " had no unique member; added");
    }
  }

  private void expect(Txn t, Map<ByteBuffer, byte[]> expected, Entry e, byte[] loc, String where) {
    if (e.digest() == null) {
      repair(t, "item #" + e.itemId() + " at " + where + " has no digest, so a unique queue "
          + "cannot tell whether it is waiting; left without a unique member");
      return;
    }
    if (expected.putIfAbsent(ByteBuffer.wrap(e.digest()), loc) != null) {
      LOG.warn("queue \"{}\": two waiting items share digest {}; the first keeps the unique member",
          q.queue, Keys.shortHex(e.digest()));
    }
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  /**
   * docs/DESIGN.md §3.6: every in-flight item goes back to the head in claim order, recovery count + 1,
   * delivery count unchanged; one reaching MAX_RECOVERIES is dead-lettered as a suspected poison
   * item.
   */
  private void recover(Txn t, TreeMap<Long, Entry> inFlight) {
    if (inFlight.isEmpty()) {
      return;
    }
    int max = q.settings.maxRecoveries();
    int placedBack = 0;
    int merged = 0;
    int poisoned = 0;
    List<Entry> back = new ArrayList<>();
    List<byte[]> raws = new ArrayList<>();
    for (Map.Entry<Long, Entry> f : inFlight.entrySet()) {
      long did = f.getKey();
      Entry was = f.getValue();
      byte[] key = q.keys.flight(did);
      byte[] raw = t.get(key);
      t.delete(key);
      Entry e = was.withCounts(was.deliveries(), was.recoveries() + 1);
      if (max > 0 && e.recoveries() >= max) {
        String reason = "suspected poison item: in flight during " + e.recoveries()
            + " crashes (MAX_RECOVERIES=" + max + ")";
        byte[] payload = Entry.payloadOf(raw);
        LOG.warn("queue \"{}\": item #{} (payload: {}) was in flight during {} crashes; "
            + "dead-lettered as a suspected poison item (MAX_RECOVERIES={})", q.queue, e.itemId(),
            Previews.of(payload), e.recoveries(), max);
        // made by the store, not the pool: told to the queue's listeners through the events
        q.events.deadLettered(q.bury(t, e, payload, reason));
        poisoned++;
      } else {
        back.add(e);
        raws.add(Entry.withCounts(raw, e.deliveries(), e.recoveries()));
      }
    }
    for (boolean m : q.putBackAtHead(t, back, raws)) {
      if (m) {
        merged++;
      } else {
        placedBack++;
      }
    }
    LOG.info("queue \"{}\": recovered {} items left in flight when it was last open: {} back at "
        + "the head (recovery count + 1), {} merged into a waiting copy, {} dead-lettered as "
        + "suspected poison", q.queue, inFlight.size(), placedBack, merged, poisoned);
  }

  /** Everything stored under this queue's prefix, parsed; malformed keys already deleted. */
  static final class Scan {
    Meta meta;
    State state;
    boolean anyKey;
    /** Item records of layout 1 the migration left: no entry named them. */
    final Map<Long, LayoutV1.ItemRecord> items = new HashMap<>();
    final TreeMap<Long, Entry> ready = new TreeMap<>();
    final TreeMap<DelayKey, Entry> delayed = new TreeMap<>();
    final TreeMap<Long, Entry> flights = new TreeMap<>();
    final Map<ByteBuffer, byte[]> members = new HashMap<>();
    final List<Long> dead = new ArrayList<>();
    final List<byte[]> malformed = new ArrayList<>();
    final List<String> bad = new ArrayList<>();
  }

  /**
   * Reads every key under the prefix once. Only at open: this is the one place that iterates, and
   * it runs under the combining lock and closes the iterator before the round ends, so the DB
   * cannot close under it.
   */
  private Scan scan(DB raw) {
    Scan s = new Scan();
    List<String> bad = new ArrayList<>();
    try (DBIterator it = raw.iterator()) {
      it.seek(q.keys.prefix());
      while (it.hasNext()) {
        Map.Entry<byte[], byte[]> kv = it.next();
        byte[] k = kv.getKey();
        if (!q.keys.owns(k)) {
          if (k.length <= q.keys.prefix().length && Arrays.equals(k, q.keys.prefix())) {
            continue;
          }
          break;
        }
        byte tag = q.keys.tag(k);
        byte[] v = kv.getValue();
        int expected = q.keys.expectedLength(tag);
        if (expected < 0 || k.length != expected) {
          bad.add("key " + Arrays.toString(Arrays.copyOfRange(k, q.keys.suffixOffset() - 1,
              Math.min(k.length, q.keys.suffixOffset() + 16))) + " is not part of layout "
              + QueueState.LAYOUT_VERSION + "; left as is");
          continue;
        }
        try {
          switch (tag) {
            case Keys.META:
              s.meta = Meta.decode(v);
              break;
            case Keys.STATE:
              s.state = State.decode(v);
              s.anyKey = true;
              break;
            case Keys.ITEM:
              s.anyKey = true;
              s.items.put(q.keys.firstNumber(k), LayoutV1.ItemRecord.decode(v));
              break;
            case Keys.READY:
              s.anyKey = true;
              s.ready.put(q.keys.firstNumber(k), Entry.decode(v));
              break;
            case Keys.DELAYED:
              s.anyKey = true;
              s.delayed.put(new DelayKey(q.keys.firstNumber(k), q.keys.secondNumber(k)),
                  Entry.decode(v));
              break;
            case Keys.FLIGHT:
              s.anyKey = true;
              s.flights.put(q.keys.firstNumber(k), Entry.decode(v));
              break;
            case Keys.UNIQUE:
              s.anyKey = true;
              s.members.put(ByteBuffer.wrap(q.keys.digestOf(k)), v);
              break;
            case Keys.DEAD:
              s.anyKey = true;
              DeadRecord.decode(v);
              s.dead.add(q.keys.firstNumber(k));
              break;
            default:
              throw new AssertionError(tag);
          }
        } catch (IllegalArgumentException e) {
          s.malformed.add(k);
          bad.add("record under tag '" + (char) tag + "' is malformed (" + e.getMessage()
              + "); deleted");
        }
      }
    } catch (IOException e) {
      // DBIterator.close declares IOException; a failure to free the iterator is a DB failure.
      throw new DBException("closing a LevelDB iterator failed", e);
    }
    s.bad.addAll(bad);
    return s;
  }
}
