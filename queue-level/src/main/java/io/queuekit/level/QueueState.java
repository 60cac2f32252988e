package io.queuekit.level;

import io.queuekit.PushResult;
import io.queuekit.QueueException;
import io.queuekit.QueueSettings;
import io.queuekit.internal.Digests;
import io.queuekit.internal.Nanos;
import io.queuekit.internal.Previews;
import io.queuekit.level.Records.DeadRecord;
import io.queuekit.level.Records.Entry;
import io.queuekit.level.Records.State;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreStats;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.iq80.leveldb.DB;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One queue's state as the write rounds of its {@link LevelDb} keep it: the ready range's head and
 * tail, the sequence, the delayed index and the deliveries in flight (headers only, no payloads),
 * the dead-letter ids and the bucketed first-pushed times, kept in memory so no operation has to
 * search the DB (and never scans over deleted keys). Every
 * method stages its writes in the round's {@link Txn}; the round commits them in one batch, then
 * {@link #snapshot()} is published to the queue's waiters. A failed round reloads this state from
 * the DB ({@link #load}); the open-time load, repair and recovery live in {@link StateLoader}.
 *
 * <p><b>Thread-safety:</b> guarded by its {@link LevelDb}'s combining lock, except the immutable
 * fields.
 */
final class QueueState {
  private static final Logger LOG = LoggerFactory.getLogger(QueueState.class);

  /** The layout this version writes and the newest it reads. */
  static final int LAYOUT_VERSION = 2;
  /** How far a rebuilt sequence jumps past the highest stored id. */
  static final long SEQUENCE_GAP = 1L << 32;
  /** Numbers reserved per state-record write (see {@link State#seqLimit}). */
  static final long SEQUENCE_BLOCK = 1L << 16;

  final String queue;
  final Keys keys;
  final boolean unique;
  final QueueSettings settings;
  private final Clock clock;
  final LevelDb db;

  long head;
  long tail;
  long nextSeq;
  /** Every number handed out is below it, as stored in the state record. */
  long seqLimit;
  long deadDropped;
  /** Whether the state record must be rewritten at the end of this round. */
  boolean dirty;
  /** Headers only: the payloads stay in LevelDB. */
  final TreeMap<DelayKey, Entry> delayed = new TreeMap<>();
  final Map<Long, Entry> flights = new HashMap<>();
  final TreeSet<Long> deadIds = new TreeSet<>();
  /** First-pushed times of the waiting items, bucketed, for the oldest-waiting statistic. */
  final WaitingTimes waitingSince = new WaitingTimes();
  /** Where snapshots go after each committed round: the queue's waiters. */
  private final Consumer<Snapshot> publisher;
  /** Whether {@link #load} has run: until then the queue is still opening (maybe migrating). */
  boolean loaded;
  /** Set when a failed round could not even reload; every later operation fails with it. */
  private volatile QueueException broken;
  /** What the last open repaired (migration and load), in words; also logged at WARN. */
  final List<String> repairs = new ArrayList<>();
  /** What the last load found stored, before repairing or recovering: see {@link CleanClose}. */
  CleanClose.Counts found;

  /** Where the dead letters the store makes by itself (quarantine at open) are reported. */
  final io.queuekit.spi.StoreEvents events;

  QueueState(String queue, String storageName, boolean unique, QueueSettings settings, Clock clock,
      LevelDb db, Consumer<Snapshot> publisher, io.queuekit.spi.StoreEvents events) {
    this.publisher = publisher;
    this.events = events;
    this.queue = queue;
    this.keys = new Keys(storageName);
    this.unique = unique;
    this.settings = settings;
    this.clock = clock;
    this.db = db;
  }

  /** A delayed entry's place: due time, then release order. */
  record DelayKey(long due, long order) implements Comparable<DelayKey> {
    @Override
    public int compareTo(DelayKey o) {
      int c = Long.compare(due, o.due);
      return c != 0 ? c : Long.compare(order, o.order);
    }
  }

  /** What waiters and stats see after a committed round. */
  record Snapshot(long ready, long delayed, long inFlight, long dead, long deadDropped,
      long oldestWaiting, long earliestDue) {
    static final long NONE = Long.MAX_VALUE;

    long waiting() {
      return ready + delayed;
    }
  }

  Snapshot snapshot() {
    return new Snapshot(tail - head, delayed.size(), flights.size(), deadIds.size(), deadDropped,
        waitingSince.oldest(Snapshot.NONE),
        delayed.isEmpty() ? Snapshot.NONE : delayed.firstKey().due());
  }

  /**
   * The store's counts at the clock's now: a delayed item already due counts as ready (claimable
   * now), promoted by a claim or not. The oldest waiting time is as {@link WaitingTimes} keeps it:
   * exact up to {@value WaitingTimes#MAX_BUCKETS} distinct first-pushed times, never later than
   * the truth past that.
   */
  StoreStats stats() {
    long due = delayed.isEmpty() ? 0
        : delayed.headMap(new DelayKey(now(), Long.MAX_VALUE), true).size();
    return new StoreStats(tail - head + due, delayed.size() - due, flights.size(), deadIds.size(),
        deadDropped, waitingSince.buckets() == 0 ? Optional.empty()
            : Optional.of(Records.instant(waitingSince.oldest(Snapshot.NONE))));
  }

  int waitingBuckets() {
    return waitingSince.buckets();
  }

  /** Hands the current counts to the queue's waiters; after a committed round. */
  void publish() {
    publisher.accept(snapshot());
  }

  QueueException broken() {
    return broken;
  }

  void markBroken(QueueException e) {
    broken = e;
  }

  List<String> repairs() {
    return List.copyOf(repairs);
  }

  CleanClose.Counts found() {
    return found;
  }

  boolean loaded() {
    return loaded;
  }

  /** Puts what an open's migration repaired before what its load repaired. */
  void addMigrationRepairs(List<String> migration) {
    repairs.addAll(0, migration);
  }

  /**
   * Writes the state record if this round changed it: a new block of numbers reserved, or a dead
   * letter dropped. Head and tail moving do not count: they are not stored.
   */
  void stage(Txn t) {
    if (dirty) {
      t.put(keys.state(), new State(seqLimit, deadDropped).encode());
      dirty = false;
    }
  }

  private long now() {
    return Records.nanos(clock.instant());
  }

  private long waiting() {
    return (tail - head) + delayed.size();
  }

  private long next() {
    if (nextSeq >= seqLimit) {
      // Written in this same round, so a committed id is always below the stored limit.
      seqLimit = Nanos.add(nextSeq, SEQUENCE_BLOCK);
      dirty = true;
    }
    return nextSeq++;
  }

  // ---------------------------------------------------------------- push

  /**
   * Admits one item: DUPLICATE when its identity is waiting (unique), FULL without room, else
   * ADDED. Never stages anything for DUPLICATE or FULL.
   */
  PushResult push(Txn t, Item item, long delayNanos) {
    byte[] digest = unique ? Digests.sha256(item.identity()) : null;
    if (digest != null && t.get(keys.unique(digest)) != null) {
      return PushResult.DUPLICATE;
    }
    if (waiting() >= settings.length()) {
      return PushResult.FULL;
    }
    long now = now();
    Entry e = new Entry(next(), 0, 0, now, digest);
    placeWaiting(t, e, e.encode(item.payload()), delayNanos, now);
    return PushResult.ADDED;
  }

  /**
   * Admits {@code items} from {@code from} on, in order, until one finds no room; returns the
   * results (fewer than asked when the queue filled up).
   */
  List<PushResult> pushAll(Txn t, List<Item> items, int from, long delayNanos) {
    List<PushResult> out = new ArrayList<>();
    for (int i = from; i < items.size(); i++) {
      PushResult r = push(t, items.get(i), delayNanos);
      if (r == PushResult.FULL) {
        break;
      }
      out.add(r);
    }
    return out;
  }

  /**
   * Puts an entry ({@code e} its header, {@code raw} its stored bytes) at the tail (delay ≤ 0) or
   * in the delayed index, with its unique member.
   */
  private void placeWaiting(Txn t, Entry e, byte[] raw, long delayNanos, long now) {
    byte[] loc;
    if (delayNanos <= 0) {
      long pos = tail++;
      t.put(keys.ready(pos), raw);
      loc = readyLoc(pos);
    } else {
      DelayKey k = new DelayKey(Nanos.add(now, delayNanos), next());
      delayed.put(k, e);
      t.put(keys.delayed(k.due(), k.order()), raw);
      loc = delayedLoc(k);
    }
    if (e.digest() != null) {
      t.put(keys.unique(e.digest()), loc);
    }
    addWaiting(e.firstPushedNanos());
  }

  /** Puts an entry at the head, with its unique member. */
  private void placeHead(Txn t, Entry e, byte[] raw) {
    long pos = --head;
    t.put(keys.ready(pos), raw);
    if (e.digest() != null) {
      t.put(keys.unique(e.digest()), readyLoc(pos));
    }
    addWaiting(e.firstPushedNanos());
  }

  /**
   * Unique queues: if {@code incoming}'s identity is waiting, folds its counts into the waiting
   * copy (which keeps its place, due time and first-pushed time) and returns true; the incoming
   * copy is then dropped.
   */
  private boolean merge(Txn t, Entry incoming) {
    if (incoming.digest() == null) {
      return false;
    }
    byte[] loc = t.get(keys.unique(incoming.digest()));
    if (loc == null) {
      return false;
    }
    byte[] entryKey = entryKeyAt(loc);
    Entry waiting = null;
    if (entryKey != null) {
      byte[] raw = t.get(entryKey);
      waiting = raw == null ? null : Entry.decode(raw);
    }
    if (waiting == null) {
      // Cannot happen while the invariants hold (checked at open); never let a ghost member
      // refuse an item, which is the bug this layout exists to prevent.
      LOG.error("queue \"{}\": unique member {} pointed at no waiting item; replaced", queue,
          Keys.shortHex(incoming.digest()));
      return false;
    }
    Entry merged = waiting.withCounts(Math.max(waiting.deliveries(), incoming.deliveries()),
        Math.max(waiting.recoveries(), incoming.recoveries()));
    if (merged.deliveries() != waiting.deliveries() || merged.recoveries() != waiting.recoveries()) {
      t.put(entryKey, Entry.withCounts(t.get(entryKey), merged.deliveries(), merged.recoveries()));
      if (loc[0] == Keys.DELAYED) {
        delayed.put(new DelayKey(Keys.getSortable(loc, 1), Keys.getSortable(loc, 9)), merged);
      }
    }
    return true;
  }

  static byte[] readyLoc(long pos) {
    byte[] loc = new byte[9];
    loc[0] = Keys.READY;
    Keys.putSortable(loc, 1, pos);
    return loc;
  }

  static byte[] delayedLoc(DelayKey k) {
    byte[] loc = new byte[17];
    loc[0] = Keys.DELAYED;
    Keys.putSortable(loc, 1, k.due());
    Keys.putSortable(loc, 9, k.order());
    return loc;
  }

  /** The key of the entry a unique member's location names, or null when malformed. */
  private byte[] entryKeyAt(byte[] loc) {
    if (loc.length == 9 && loc[0] == Keys.READY) {
      return keys.ready(Keys.getSortable(loc, 1));
    }
    if (loc.length == 17 && loc[0] == Keys.DELAYED) {
      return keys.delayed(Keys.getSortable(loc, 1), Keys.getSortable(loc, 9));
    }
    return null;
  }

  void addWaiting(long firstPushed) {
    waitingSince.add(firstPushed);
  }

  private void removeWaiting(long firstPushed) {
    waitingSince.remove(firstPushed);
  }

  // ---------------------------------------------------------------- claim and settle

  /**
   * Promotes due delayed items to the tail, then moves up to {@code max} from the head: per item
   * one get, one delete and one put of the same bytes under the in-flight key. At most one
   * recovered item per claim (docs/DESIGN.md §3.2): alone when it is at the head, else the batch stops
   * before it, so a crash before a batch's extras are given back cannot count a recovery for
   * items no handler ran.
   */
  List<Delivery> claim(Txn t, int max) {
    long now = now();
    promote(t, now);
    List<Delivery> out = new ArrayList<>(Math.min(max, 64));
    while (out.size() < max && head < tail) {
      long pos = head;
      byte[] readyKey = keys.ready(pos);
      byte[] raw = t.get(readyKey);
      if (raw == null) {
        head++;
        LOG.error("queue \"{}\": no ready entry at position {} although head={} and tail={}; "
            + "skipped", queue, pos, pos, tail);
        continue;
      }
      Entry e = Entry.decode(raw);
      if (e.recoveries() > 0 && !out.isEmpty()) {
        break;
      }
      head++;
      t.delete(readyKey);
      if (e.digest() != null) {
        byte[] memberKey = keys.unique(e.digest());
        if (Arrays.equals(t.get(memberKey), readyLoc(pos))) {
          t.delete(memberKey);
        }
      }
      removeWaiting(e.firstPushedNanos());
      long did = next();
      t.put(keys.flight(did), raw);
      flights.put(did, e);
      out.add(new Delivery(did, Entry.payloadOf(raw), e.deliveries(), e.recoveries(),
          Records.instant(e.firstPushedNanos())));
      if (e.recoveries() > 0) {
        break;
      }
    }
    return out;
  }

  private void promote(Txn t, long now) {
    while (!delayed.isEmpty() && delayed.firstKey().due() <= now) {
      Map.Entry<DelayKey, Entry> d = delayed.pollFirstEntry();
      DelayKey k = d.getKey();
      Entry e = d.getValue();
      byte[] delayedKey = keys.delayed(k.due(), k.order());
      byte[] raw = t.get(delayedKey);
      if (raw == null) {
        LOG.error("queue \"{}\": no delayed entry due at {} (order {}) although the index names "
            + "item #{}; skipped", queue, Records.instant(k.due()), k.order(), e.itemId());
        removeWaiting(e.firstPushedNanos());
        continue;
      }
      t.delete(delayedKey);
      long pos = tail++;
      t.put(keys.ready(pos), raw);
      if (e.digest() != null) {
        byte[] memberKey = keys.unique(e.digest());
        if (Arrays.equals(t.get(memberKey), delayedLoc(k))) {
          t.put(memberKey, readyLoc(pos));
        }
      }
    }
  }

  /**
   * The stored bytes of delivery {@code id}'s in-flight entry, deleted from the store; null (and
   * an error logged) when the store has lost it although memory knew it.
   */
  private byte[] takeFlight(Txn t, long id, Entry e) {
    byte[] key = keys.flight(id);
    byte[] raw = t.get(key);
    t.delete(key);
    if (raw == null) {
      LOG.error("queue \"{}\": the in-flight entry of delivery {} (item #{}) is not stored; the "
          + "delivery is dropped", queue, id, e.itemId());
    }
    return raw;
  }

  List<Outcome> ack(Txn t, List<Delivery> deliveries) {
    List<Outcome> out = new ArrayList<>(deliveries.size());
    for (Delivery d : deliveries) {
      if (flights.remove(d.id()) == null) {
        out.add(Outcome.STALE);
        continue;
      }
      t.delete(keys.flight(d.id()));
      out.add(Outcome.DONE);
    }
    return out;
  }

  Outcome release(Txn t, long deliveryId, long delayNanos) {
    Entry f = flights.remove(deliveryId);
    if (f == null) {
      return Outcome.STALE;
    }
    byte[] raw = takeFlight(t, deliveryId, f);
    if (raw == null) {
      return Outcome.STALE;
    }
    Entry e = f.withCounts(f.deliveries() + 1, f.recoveries());
    if (merge(t, e)) {
      return Outcome.MERGED;
    }
    placeWaiting(t, e, Entry.withCounts(raw, e.deliveries(), e.recoveries()), delayNanos, now());
    return Outcome.DONE;
  }

  List<Outcome> unclaim(Txn t, List<Delivery> deliveries) {
    Outcome[] out = new Outcome[deliveries.size()];
    List<Entry> entries = new ArrayList<>();
    List<byte[]> raws = new ArrayList<>();
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < deliveries.size(); i++) {
      long id = deliveries.get(i).id();
      Entry e = flights.remove(id);
      byte[] raw = e == null ? null : takeFlight(t, id, e);
      if (raw == null) {
        out[i] = Outcome.STALE;
      } else {
        entries.add(e);
        raws.add(raw);
        at.add(i);
      }
    }
    List<Boolean> merged = putBackAtHead(t, entries, raws);
    for (int j = 0; j < at.size(); j++) {
      out[at.get(j)] = merged.get(j) ? Outcome.MERGED : Outcome.DONE;
    }
    return Arrays.asList(out);
  }

  /**
   * Puts entries back at the head in their order (unclaim, recovery). On a unique queue an entry
   * whose identity is waiting, or is placed by an earlier entry of the list, merges into that copy
   * instead (the copy put back is dropped). Returns, per entry, whether it merged.
   */
  List<Boolean> putBackAtHead(Txn t, List<Entry> entries, List<byte[]> raws) {
    List<Boolean> merged = new ArrayList<>(entries.size());
    List<Entry> placed = new ArrayList<>(entries);
    List<byte[]> placedRaw = new ArrayList<>(raws);
    Map<ByteBuffer, Integer> placedByDigest = new HashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      Integer earlier = e.digest() == null ? null : placedByDigest.get(ByteBuffer.wrap(e.digest()));
      if (earlier != null) {
        Entry w = placed.get(earlier);
        Entry folded = w.withCounts(Math.max(w.deliveries(), e.deliveries()),
            Math.max(w.recoveries(), e.recoveries()));
        placed.set(earlier, folded);
        placedRaw.set(earlier, Entry.withCounts(placedRaw.get(earlier), folded.deliveries(),
            folded.recoveries()));
        placed.set(i, null);
      } else if (merge(t, e)) {
        placed.set(i, null);
      } else if (e.digest() != null) {
        placedByDigest.put(ByteBuffer.wrap(e.digest()), i);
      }
      merged.add(placed.get(i) == null);
    }
    // Last first, each at the new head, so the head ends up in the list's order.
    for (int i = entries.size() - 1; i >= 0; i--) {
      if (placed.get(i) != null) {
        placeHead(t, placed.get(i), placedRaw.get(i));
      }
    }
    return merged;
  }

  Outcome deadLetter(Txn t, long deliveryId, String reason) {
    Entry f = flights.remove(deliveryId);
    if (f == null) {
      return Outcome.STALE;
    }
    byte[] raw = takeFlight(t, deliveryId, f);
    if (raw == null) {
      return Outcome.STALE;
    }
    bury(t, f, Entry.payloadOf(raw), reason);
    return Outcome.DONE;
  }

  /** Stores an item (not waiting, not in flight any more) in the dead-letter store. */
  /** Adds a dead letter; returns its id and time (for a report to the store's events). */
  io.queuekit.spi.DeadLetter bury(Txn t, Entry e, byte[] payload, String reason) {
    long id = next();
    long at = now();
    String why = reason == null ? "" : reason;
    t.put(keys.dead(id), new DeadRecord(e.deliveries(), e.recoveries(), e.firstPushedNanos(),
        at, e.digest(), why, payload).encode());
    deadIds.add(id);
    enforceDeadCap(t);
    return new io.queuekit.spi.DeadLetter(id, payload, why, e.deliveries(), e.recoveries(),
        Records.instant(e.firstPushedNanos()), Records.instant(at));
  }

  void enforceDeadCap(Txn t) {
    while (deadIds.size() > settings.deadLetterLength()) {
      long oldest = deadIds.pollFirst();
      byte[] key = keys.dead(oldest);
      byte[] raw = t.get(key);
      t.delete(key);
      deadDropped++;
      dirty = true; // the drop count is stored
      String reason = "?";
      String payload = "";
      if (raw != null) {
        DeadRecord r = DeadRecord.decode(raw);
        reason = r.reason();
        payload = Previews.of(r.payload());
      }
      LOG.warn("queue \"{}\": dead-letter store is full (DEAD_LETTER_LENGTH={}); dropped its "
          + "oldest entry #{} (reason: {}; payload: {})", queue,
          settings.deadLetterLength(), oldest, Previews.reason(reason), payload);
    }
  }

  // ---------------------------------------------------------------- whole-queue operations

  long removeAll(Txn t) {
    long n = waiting();
    for (long pos = head; pos < tail; pos++) {
      byte[] readyKey = keys.ready(pos);
      if (unique) {
        // Only a unique queue needs the entry: for its member.
        byte[] raw = t.get(readyKey);
        if (raw != null) {
          dropMember(t, Entry.decode(raw));
        }
      }
      t.delete(readyKey);
    }
    head = tail;
    for (Map.Entry<DelayKey, Entry> d : delayed.entrySet()) {
      t.delete(keys.delayed(d.getKey().due(), d.getKey().order()));
      dropMember(t, d.getValue());
    }
    delayed.clear();
    waitingSince.clear();
    return n;
  }

  private void dropMember(Txn t, Entry e) {
    if (e.digest() != null) {
      t.delete(keys.unique(e.digest()));
    }
  }

  List<DeadLetter> listDead(Txn t, int offset, int limit) {
    List<DeadLetter> out = new ArrayList<>();
    int skipped = 0;
    for (Iterator<Long> it = deadIds.descendingIterator(); it.hasNext() && out.size() < limit; ) {
      long id = it.next();
      if (skipped++ < offset) {
        continue;
      }
      addDead(t, id, out);
    }
    return out;
  }

  /** The named dead letters that exist, oldest first: one read each, not a scan. */
  List<DeadLetter> findDead(Txn t, Collection<Long> ids) {
    List<DeadLetter> out = new ArrayList<>();
    for (long id : new TreeSet<>(ids)) {
      if (deadIds.contains(id)) {
        addDead(t, id, out);
      }
    }
    return out;
  }

  private void addDead(Txn t, long id, List<DeadLetter> out) {
    byte[] raw = t.get(keys.dead(id));
    if (raw != null) {
      DeadRecord r = DeadRecord.decode(raw);
      out.add(new DeadLetter(id, r.payload(), r.reason(), r.deliveries(), r.recoveries(),
          Records.instant(r.firstPushedNanos()), Records.instant(r.deadAtNanos())));
    }
  }

  /** Replays dead letters (null: all) to the tail, oldest first, counts reset. */
  long replayDead(Txn t, Collection<Long> ids) {
    long n = 0;
    long now = now();
    for (long id : selectDead(ids)) {
      byte[] key = keys.dead(id);
      byte[] raw = t.get(key);
      t.delete(key);
      deadIds.remove(id);
      if (raw == null) {
        continue;
      }
      DeadRecord r = DeadRecord.decode(raw);
      n++;
      Entry e = new Entry(next(), 0, 0, r.firstPushedNanos(), unique ? r.digest() : null);
      if (merge(t, e)) {
        continue;
      }
      placeWaiting(t, e, e.encode(r.payload()), 0, now);
    }
    return n;
  }

  long purgeDead(Txn t, Collection<Long> ids) {
    long n = 0;
    for (long id : selectDead(ids)) {
      deadIds.remove(id);
      t.delete(keys.dead(id));
      n++;
    }
    return n;
  }

  private List<Long> selectDead(Collection<Long> ids) {
    if (ids == null) {
      return new ArrayList<>(deadIds);
    }
    TreeSet<Long> known = new TreeSet<>();
    for (Long id : ids) {
      if (id != null && deadIds.contains(id)) {
        known.add(id);
      }
    }
    return new ArrayList<>(known);
  }

  // ---------------------------------------------------------------- open

  /**
   * Reads this queue's keys from the DB into memory, checks, repairs and (with {@code recover})
   * recovers: see {@link StateLoader}. The meta record has been checked by the caller.
   */
  void load(Txn t, DB raw, boolean recover) {
    new StateLoader(this).load(t, raw, recover);
  }
}
