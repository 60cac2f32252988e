package io.queuekit.redis;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The deliveries a {@link RedisQueue} instance holds (claimed, not yet settled), each with the
 * consumer id and the claim it was claimed in (a settle names the claim's in-flight field:
 * {@link Range#field}), and a count per consumer id beside them (the beat asks whether anything
 * is held without passing over every delivery).
 *
 * <p>A claim's delivery ids are consecutive (the claim script draws them at once), so they are
 * kept per claim, as its first id and a bit per delivery still held: a claim of 100 is one map
 * entry, and holding or forgetting a delivery touches no shared map but the claim's. Ids are
 * drawn from one sequence and never reused, so claims do not overlap; a claim that overlaps
 * older ones (the server lost the sequence: flushed, or restored from an older snapshot) drops
 * them, since settling one of them would now settle the new claim's entry of the same id.
 *
 * <p><b>Thread-safety:</b> safe for any number of threads; a count read while a claim or a settle
 * runs may be off by what that call is changing. <b>Ordering:</b> none. <b>Durability:</b> in memory; Redis holds the truth (DESIGN §3.6).
 */
final class HeldDeliveries {
  /** A claim's first delivery id → the claim. */
  private final ConcurrentNavigableMap<Long, Claim> claims = new ConcurrentSkipListMap<>();
  /** Consumer id → how many deliveries are held under it. */
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  /**
   * The claim {@link #containing} found last: a settle looks up each delivery of a batch, and a
   * batch's deliveries are one claim's, so this spares the map a search per delivery.
   */
  private volatile Claim last;

  /**
   * One claim's delivery ids, {@code first .. first + n - 1}: the claim script keeps its entries
   * in flight as one field of the consumer's in-flight hash, named by {@link #field}; {@code
   * pack}, a claim of one pack taken as it is (its field holds the pack's reference).
   */
  record Range(long first, int n, boolean pack) {
    Range(long first, int n) {
      this(first, n, false);
    }

    /** The claim's field in the in-flight hash ({@code claimname} in prelude.lua). */
    String field() {
      return (pack ? "r" : "c") + first + ":" + n;
    }
  }

  /** The claim that holds delivery {@code did}, or null when {@code did} is not held. */
  Range claimOf(long did) {
    Claim k = containing(did);
    return k != null && k.holds(did) ? new Range(k.first, k.n, k.pack) : null;
  }

  /** The consumer id delivery {@code did} was claimed under, or null when not held. */
  String holder(long did) {
    Claim k = containing(did);
    return k != null && k.holds(did) ? k.consumer : null;
  }

  /** Holds the {@code n} deliveries {@code first .. first + n - 1} of one claim under {@code c}. */
  void holdClaim(long first, int n, String c) {
    holdClaim(first, n, c, false);
  }

  /** {@link #holdClaim(long, int, String)} for a claim of one pack when {@code pack}. */
  void holdClaim(long first, int n, String c, boolean pack) {
    if (n <= 0) {
      return;
    }
    Map.Entry<Long, Claim> before = claims.lowerEntry(first);
    if (before != null && before.getValue().end() > first) {
      drop(before.getValue());
    }
    for (Claim k : claims.subMap(first, first + n).values()) {
      drop(k);
    }
    claims.put(first, new Claim(first, n, c, pack));
    count(c).addAndGet(n);
  }

  /**
   * Stops holding deliveries {@code dids}; an id not held is skipped. A settle's ids are mostly
   * one claim's, in order: each run of ids in one claim finds, locks and counts off that claim
   * once, not once per id (a settle of a claim of 100 paid 100 count updates on a map shared by
   * every worker).
   */
  void forget(long... dids) {
    int i = 0;
    while (i < dids.length) {
      Claim k = containing(dids[i]);
      if (k == null) {
        i++;
        continue;
      }
      int released = 0;
      boolean empty;
      synchronized (k) {
        for (; i < dids.length && dids[i] >= k.first && dids[i] < k.end(); i++) {
          if (k.release(dids[i])) {
            released++;
          }
        }
        empty = k.isEmpty();
      }
      if (released > 0) {
        count(k.consumer).addAndGet(-released);
        if (empty) {
          remove(k);
        }
      }
    }
  }

  /** How many deliveries are held under consumer id {@code c}. */
  int heldBy(String c) {
    AtomicInteger n = counts.get(c);
    return n == null ? 0 : Math.max(0, n.get());
  }

  /** The delivery ids held under {@code c}. */
  List<Long> idsOf(String c) {
    List<Long> ids = new ArrayList<>();
    for (Claim k : claims.values()) {
      if (k.consumer.equals(c)) {
        k.addHeldTo(ids);
      }
    }
    return ids;
  }

  /** Forgets every delivery held under {@code c} (fenced); returns how many. */
  int dropAll(String c) {
    int dropped = 0;
    for (Claim k : claims.values()) {
      if (k.consumer.equals(c)) {
        dropped += drop(k);
      }
    }
    counts.remove(c);
    return dropped;
  }

  /** The claim whose id range holds {@code did}, or null. */
  private Claim containing(long did) {
    Claim k = last;
    if (k != null && !k.removed && did >= k.first && did < k.end()) {
      return k;
    }
    Map.Entry<Long, Claim> e = claims.floorEntry(did);
    k = e != null && did < e.getValue().end() ? e.getValue() : null;
    if (k != null) {
      last = k;
    }
    return k;
  }

  private void remove(Claim k) {
    k.removed = true;
    claims.remove(k.first, k);
  }

  /** Removes claim {@code k}, forgetting what it still held; returns how many. */
  private int drop(Claim k) {
    remove(k);
    List<Long> ids = new ArrayList<>();
    k.releaseAll(ids);
    count(k.consumer).addAndGet(-ids.size());
    return ids.size();
  }

  private AtomicInteger count(String c) {
    return counts.computeIfAbsent(c, x -> new AtomicInteger());
  }

  /** One claim's deliveries: a bit per id from {@link #first}, set while held. */
  private static final class Claim {
    final long first;
    final int n;
    final String consumer;
    final boolean pack;
    /** Out of the map: {@link #last} no longer answers for it. */
    volatile boolean removed;
    /** Guarded by this. */
    private final BitSet held;

    Claim(long first, int n, String consumer, boolean pack) {
      this.first = first;
      this.n = n;
      this.consumer = consumer;
      this.pack = pack;
      this.held = new BitSet(n);
      held.set(0, n);
    }

    long end() {
      return first + n;
    }

    synchronized boolean holds(long did) {
      return held.get((int) (did - first));
    }

    /** Stops holding {@code did}; false when it was not held. */
    synchronized boolean release(long did) {
      int i = (int) (did - first);
      if (!held.get(i)) {
        return false;
      }
      held.clear(i);
      return true;
    }

    synchronized boolean isEmpty() {
      return held.isEmpty();
    }

    synchronized void addHeldTo(List<Long> ids) {
      for (int i = held.nextSetBit(0); i >= 0; i = held.nextSetBit(i + 1)) {
        ids.add(first + i);
      }
    }

    /** Stops holding every delivery, adding their ids to {@code ids}. */
    synchronized void releaseAll(List<Long> ids) {
      addHeldTo(ids);
      held.clear();
    }
  }
}
