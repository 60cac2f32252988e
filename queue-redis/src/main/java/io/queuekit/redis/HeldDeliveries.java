package io.queuekit.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The deliveries a {@link RedisQueue} instance holds (claimed, not yet settled), each with the
 * consumer id it was claimed under, a count per consumer id beside them (an ack compares it with
 * the in-flight hash's length, the beat asks whether anything is held: neither passes over every
 * delivery), and those whose last settle got no answer ("unsure": it may have run, so their next
 * ack asks per id).
 *
 * <p><b>Thread-safety:</b> safe for any number of threads; a count read while a claim or a settle
 * runs may be off by what that call is changing, which the ack script tolerates (it then asks per
 * id). <b>Ordering:</b> none. <b>Durability:</b> in memory; Redis holds the truth (DESIGN §3.6).
 */
final class HeldDeliveries {
  /** Delivery id → consumer id it was claimed under. */
  private final Map<Long, String> held = new ConcurrentHashMap<>();
  /** Consumer id → how many of {@link #held} it holds; absent when none. */
  private final Map<String, Integer> counts = new ConcurrentHashMap<>();
  private final Set<Long> unsure = ConcurrentHashMap.newKeySet();

  /** The consumer id delivery {@code did} was claimed under, or null when not held. */
  String holder(long did) {
    return held.get(did);
  }

  void hold(long did, String c) {
    String before = held.put(did, c);
    if (!c.equals(before)) {
      count(c, 1);
      if (before != null) {
        count(before, -1);
      }
    }
  }

  void forget(long did) {
    String before = held.remove(did);
    if (before != null) {
      count(before, -1);
    }
    if (!unsure.isEmpty()) {
      unsure.remove(did);
    }
  }

  /** A settle of held delivery {@code did} got no answer: it may have run. */
  void unsure(long did) {
    unsure.add(did);
  }

  boolean isUnsure(long did) {
    return !unsure.isEmpty() && unsure.contains(did);
  }

  /** How many deliveries are held under consumer id {@code c}. */
  int heldBy(String c) {
    return counts.getOrDefault(c, 0);
  }

  /** The delivery ids held under {@code c}. */
  List<Long> idsOf(String c) {
    List<Long> ids = new ArrayList<>();
    for (Map.Entry<Long, String> e : held.entrySet()) {
      if (e.getValue().equals(c)) {
        ids.add(e.getKey());
      }
    }
    return ids;
  }

  /** Forgets every delivery held under {@code c} (fenced); returns how many. */
  int dropAll(String c) {
    int dropped = 0;
    for (Map.Entry<Long, String> e : held.entrySet()) {
      if (e.getValue().equals(c) && held.remove(e.getKey(), c)) {
        count(c, -1);
        unsure.remove(e.getKey());
        dropped++;
      }
    }
    return dropped;
  }

  private void count(String c, int delta) {
    counts.compute(c, (k, n) -> {
      int m = (n == null ? 0 : n) + delta;
      return m == 0 ? null : m;
    });
  }
}
