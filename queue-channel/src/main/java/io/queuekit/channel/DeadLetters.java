package io.queuekit.channel;

import io.queuekit.spi.DeadLetter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A channel queue's dead letters, newest kept: at most {@code DEAD_LETTER_LENGTH}, the oldest
 * dropped (and counted) past that.
 *
 * <p><b>Thread-safety:</b> none of its own; the queue's lock guards every call.
 *
 * <p><b>Ordering:</b> ids grow with time, so listing newest first is descending id order, and a
 * replay takes the named letters oldest first, keeping the order in which they died.
 */
final class DeadLetters {
  /** One dead letter; keeps the identity so a replay onto a unique queue can merge. */
  record Dead(long id, byte[] payload, Identity identity, String reason, int deliveryCount,
      int recoveryCount, Instant firstPushed, Instant deadAt) {}

  private final int cap;
  private final TreeMap<Long, Dead> byId = new TreeMap<>();
  private long nextId = 1;
  private long dropped;

  DeadLetters(int cap) {
    this.cap = cap;
  }

  /** Stores {@code e} as dead for {@code reason}; returns the oldest letter dropped, or null. */
  Dead add(Entry e, String reason, Instant now) {
    long id = nextId++;
    byId.put(id, new Dead(id, e.payload, e.id, reason, e.deliveryCount, e.recoveryCount,
        e.firstPushed, now));
    if (byId.size() <= cap) {
      return null;
    }
    dropped++;
    return byId.pollFirstEntry().getValue();
  }

  int size() {
    return byId.size();
  }

  /** Letters dropped at the cap since the queue opened. */
  long dropped() {
    return dropped;
  }

  /** Newest first: skips {@code offset}, returns at most {@code limit}. */
  List<DeadLetter> list(int offset, int limit) {
    List<DeadLetter> out = new ArrayList<>(Math.min(limit, byId.size()));
    Iterator<Dead> it = byId.descendingMap().values().iterator();
    for (int skipped = 0; skipped < offset && it.hasNext(); skipped++) {
      it.next();
    }
    while (out.size() < limit && it.hasNext()) {
      out.add(letter(it.next()));
    }
    return out;
  }

  private static DeadLetter letter(Dead d) {
    return new DeadLetter(d.id(), d.payload(), d.reason(), d.deliveryCount(), d.recoveryCount(),
        d.firstPushed(), d.deadAt());
  }

  /** The named letters that exist, oldest first. */
  List<DeadLetter> find(Collection<Long> ids) {
    List<DeadLetter> out = new ArrayList<>();
    for (Long id : new TreeSet<>(ids)) {
      Dead d = byId.get(id);
      if (d != null) {
        out.add(letter(d));
      }
    }
    return out;
  }

  /** Removes and returns every letter, oldest first. */
  List<Dead> takeAll() {
    return take(byId.keySet());
  }

  void clear() {
    byId.clear();
  }

  /** Removes and returns the named letters that exist, oldest first. */
  List<Dead> take(Collection<Long> ids) {
    List<Dead> out = new ArrayList<>();
    for (Long id : new TreeSet<>(ids)) {
      Dead d = byId.remove(id);
      if (d != null) {
        out.add(d);
      }
    }
    return out;
  }
}
