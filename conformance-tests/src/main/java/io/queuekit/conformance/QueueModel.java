package io.queuekit.conformance;

import io.queuekit.PushResult;
import io.queuekit.spi.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The {@link io.queuekit.spi.BaseQueue} contract as a few lists: what {@link BaseQueueModelTest}
 * compares a real backend with after every action. Deliberately naive (linear scans), so it is
 * obviously right. Not thread-safe; one model per run.
 */
final class QueueModel {

  /** One copy of an item, waiting or in flight. */
  static final class Copy {
    final String payload;
    final Instant firstPushed;
    int deliveryCount;
    int recoveryCount;
    Instant due;
    long delayOrder;

    Copy(String payload, Instant firstPushed) {
      this.payload = payload;
      this.firstPushed = firstPushed;
    }

    @Override
    public String toString() {
      return payload + "(d" + deliveryCount + ",r" + recoveryCount
          + (due == null ? "" : ",due " + due) + ")";
    }
  }

  /** One dead letter, with the id the backend gave it. */
  record Dead(long id, Copy copy, String reason, Instant deadAt) {}

  private static final Comparator<Copy> BY_DUE =
      Comparator.<Copy, Instant>comparing(c -> c.due).thenComparingLong(c -> c.delayOrder);

  final boolean unique;
  final int length;
  final int deadCap;
  final ArrayDeque<Copy> ready = new ArrayDeque<>();
  final List<Copy> delayed = new ArrayList<>();
  /** In flight by delivery id, in claim order. */
  final Map<Long, Copy> inFlight = new LinkedHashMap<>();
  /** Oldest first. */
  final List<Dead> dead = new ArrayList<>();
  long deadDropped;
  private long nextDelayOrder;

  QueueModel(boolean unique, int length, int deadCap) {
    this.unique = unique;
    this.length = length;
    this.deadCap = deadCap;
  }

  int waiting() {
    return ready.size() + delayed.size();
  }

  Stream<Copy> waitingCopies() {
    return Stream.concat(ready.stream(), delayed.stream());
  }

  Optional<Copy> waitingCopy(String payload) {
    return waitingCopies().filter(c -> c.payload.equals(payload)).findFirst();
  }

  /** What {@code has} must answer. */
  boolean has(String payload) {
    return unique && waitingCopy(payload).isPresent();
  }

  /** Delayed copies due at {@code now}: claimable, not yet promoted. */
  long due(Instant now) {
    return delayed.stream().filter(c -> !c.due.isAfter(now)).count();
  }

  Optional<Instant> oldestWaiting() {
    return waitingCopies().map(c -> c.firstPushed).min(Comparator.naturalOrder());
  }

  /** push/offer: DUPLICATE, FULL (nothing stored) or ADDED. */
  PushResult push(String payload, Duration delay, Instant now) {
    if (has(payload)) {
      return PushResult.DUPLICATE;
    }
    if (waiting() >= length) {
      return PushResult.FULL;
    }
    Copy c = new Copy(payload, now);
    if (delay.isZero()) {
      ready.addLast(c);
    } else {
      delay(c, now.plus(delay));
    }
    return PushResult.ADDED;
  }

  /** What a claim of up to {@code max} at {@code now} returns, in order (not yet in flight). */
  List<Copy> claim(int max, Instant now) {
    delayed.sort(BY_DUE);
    for (Iterator<Copy> it = delayed.iterator(); it.hasNext(); ) {
      Copy c = it.next();
      if (c.due.isAfter(now)) {
        break;
      }
      it.remove();
      c.due = null;
      ready.addLast(c);
    }
    List<Copy> out = new ArrayList<>();
    // at most one recovered copy per claim: alone at the head, else the claim stops before it
    while (out.size() < max && !ready.isEmpty()) {
      Copy c = ready.peekFirst();
      if (c.recoveryCount > 0 && !out.isEmpty()) {
        break;
      }
      out.add(ready.pollFirst());
      if (c.recoveryCount > 0) {
        break;
      }
    }
    return out;
  }

  Outcome ack(long id) {
    return inFlight.remove(id) != null ? Outcome.DONE : Outcome.STALE;
  }

  Outcome release(long id, Duration delay, Instant now) {
    Copy c = inFlight.remove(id);
    if (c == null) {
      return Outcome.STALE;
    }
    c.deliveryCount++;
    if (merged(c)) {
      return Outcome.MERGED;
    }
    if (delay.isZero()) {
      ready.addLast(c);
    } else {
      delay(c, now.plus(delay));
    }
    return Outcome.DONE;
  }

  List<Outcome> unclaim(List<Long> ids) {
    List<Outcome> out = new ArrayList<>();
    List<Copy> back = new ArrayList<>();
    for (long id : ids) {
      Copy c = inFlight.remove(id);
      if (c == null) {
        out.add(Outcome.STALE);
      } else if (merged(c) || mergedInto(back, c)) {
        out.add(Outcome.MERGED);
      } else {
        back.add(c);
        out.add(Outcome.DONE);
      }
    }
    for (int i = back.size() - 1; i >= 0; i--) {
      ready.addFirst(back.get(i));
    }
    return out;
  }

  /** Moves an in-flight copy to the dead store under the backend's id; drops the oldest at cap. */
  Outcome deadLetter(long deliveryId, long deadId, String reason, Instant now) {
    Copy c = inFlight.remove(deliveryId);
    if (c == null) {
      return Outcome.STALE;
    }
    dead.add(new Dead(deadId, c, reason, now));
    if (dead.size() > deadCap) {
      dead.remove(0);
      deadDropped++;
    }
    return Outcome.DONE;
  }

  /** Replays the named dead letters (oldest first) to the tail, counts reset. */
  long replay(List<Long> ids) {
    long moved = 0;
    for (Iterator<Dead> it = dead.iterator(); it.hasNext(); ) {
      Dead d = it.next();
      if (!ids.contains(d.id())) {
        continue;
      }
      it.remove();
      moved++;
      Copy c = new Copy(d.copy().payload, d.copy().firstPushed);
      if (!merged(c)) {
        ready.addLast(c);
      }
    }
    return moved;
  }

  long purge(List<Long> ids) {
    int before = dead.size();
    dead.removeIf(d -> ids.contains(d.id()));
    return before - dead.size();
  }

  long removeAll() {
    long n = waiting();
    ready.clear();
    delayed.clear();
    return n;
  }

  /** A crash: every in-flight copy back to the head in claim order, recovery count + 1. */
  void recover() {
    List<Copy> back = new ArrayList<>();
    for (Copy c : inFlight.values()) {
      c.recoveryCount++;
      if (!merged(c) && !mergedInto(back, c)) {
        back.add(c);
      }
    }
    inFlight.clear();
    for (int i = back.size() - 1; i >= 0; i--) {
      ready.addFirst(back.get(i));
    }
  }

  /** Unique: merges {@code c} into its waiting copy, if any (larger counts win). */
  private boolean merged(Copy c) {
    if (!unique) {
      return false;
    }
    Optional<Copy> copy = waitingCopy(c.payload);
    copy.ifPresent(w -> absorb(w, c));
    return copy.isPresent();
  }

  /** Unique: merges {@code c} into a copy about to go back to the head in the same step. */
  private boolean mergedInto(List<Copy> back, Copy c) {
    if (!unique) {
      return false;
    }
    for (Copy w : back) {
      if (w.payload.equals(c.payload)) {
        absorb(w, c);
        return true;
      }
    }
    return false;
  }

  private static void absorb(Copy waiting, Copy incoming) {
    waiting.deliveryCount = Math.max(waiting.deliveryCount, incoming.deliveryCount);
    waiting.recoveryCount = Math.max(waiting.recoveryCount, incoming.recoveryCount);
  }

  private void delay(Copy c, Instant due) {
    c.due = due;
    c.delayOrder = nextDelayOrder++;
    delayed.add(c);
  }

  @Override
  public String toString() {
    return "ready=" + ready + " delayed=" + delayed + " inFlight=" + inFlight.values() + " dead="
        + dead.size();
  }
}
