package io.queuekit;

import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A simple-flavour in-memory {@link BaseQueue} for the worker pool's package-private tests (the
 * real backends live in modules that depend on this one). Ignores delays and {@code LENGTH}; can
 * hand out deliveries with a recovery count, as a persistent store does after a crash; records
 * what was unclaimed; fails chosen calls as a store outage (or an unwrapped backend exception)
 * would, changing nothing.
 */
final class FakeBaseQueue implements BaseQueue {
  private final String name;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final ArrayDeque<Entry> ready = new ArrayDeque<>(); // guarded by lock
  private final Map<Long, Entry> inFlight = new HashMap<>(); // guarded by lock
  private final List<Delivery> unclaimed = new ArrayList<>(); // guarded by lock
  private long nextId = 1; // guarded by lock
  private int handedOut; // guarded by lock
  private int claimsSinceHandOut; // guarded by lock: claims begun after the last non-empty one
  private boolean closed; // guarded by lock
  private volatile Runnable onHandOut = () -> { };
  private int failingUnclaims; // guarded by lock
  private boolean mergingUnclaims; // guarded by lock
  private int failingStats; // guarded by lock
  private int unclaimCalls; // guarded by lock
  private int failingReleases; // guarded by lock
  private java.util.function.Supplier<? extends Throwable> releaseFailure; // guarded by lock
  private int failingAcks; // guarded by lock
  private int failingClaims; // guarded by lock
  private java.util.function.Supplier<? extends Throwable> claimFailure; // guarded by lock
  /** At each claimAhead hint: what was in flight plus the max hinted. Guarded by lock. */
  private final List<Integer> aheadPeaks = new ArrayList<>();
  /** Taken by claimAhead, handed out by the next claim. Guarded by lock. */
  private final List<Delivery> claimedAhead = new ArrayList<>();
  private volatile Runnable onAhead = () -> { };
  /** Whether claimAhead takes nothing, as a store that declines the hint. */
  private volatile boolean declineAhead;
  /** The max of every claim so far. Guarded by lock. */
  private final List<Integer> claimMaxes = new ArrayList<>();

  FakeBaseQueue(String name) {
    this.name = name;
  }

  private record Entry(byte[] payload, int deliveryCount, int recoveryCount) {}

  /** Adds a ready item as a store does after recovering it from a dead consumer. */
  void pushRecovered(String payload, int recoveryCount) {
    lock.lock();
    try {
      ready.addLast(new Entry(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0,
          recoveryCount));
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  int inFlight() {
    return locked(() -> inFlight.size());
  }

  /** Runs in the claimer's thread each time a claim is about to return deliveries. */
  void onHandOut(Runnable hook) {
    this.onHandOut = hook;
  }

  /**
   * From now on an unclaim answers MERGED for what it gives back, as a unique queue's store does
   * when a copy of the item is waiting already (the delivery is folded into it).
   */
  void mergeUnclaims() {
    lock.lock();
    try {
      mergingUnclaims = true;
    } finally {
      lock.unlock();
    }
  }

  /** The next {@code n} stats calls fail as a store outage would. */
  void failStats(int n) {
    lock.lock();
    try {
      failingStats = n;
    } finally {
      lock.unlock();
    }
  }

  /** The next {@code n} unclaim calls fail as a store outage would, changing nothing. */
  void failUnclaims(int n) {
    lock.lock();
    try {
      failingUnclaims = n;
    } finally {
      lock.unlock();
    }
  }

  /** The next {@code n} release calls fail as a store outage would, changing nothing. */
  void failReleases(int n) {
    failReleases(n, () -> new QueueUnavailableException("queue \"" + name
        + "\": store unreachable (fake)"));
  }

  /**
   * The next {@code n} release calls throw what {@code failure} makes (an unchecked exception or
   * an error), changing nothing.
   */
  void failReleases(int n, java.util.function.Supplier<? extends Throwable> failure) {
    lock.lock();
    try {
      failingReleases = n;
      releaseFailure = failure;
    } finally {
      lock.unlock();
    }
  }

  /** The next {@code n} ack calls fail as a store outage would, changing nothing. */
  void failAcks(int n) {
    lock.lock();
    try {
      failingAcks = n;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next {@code n} claim calls throw what {@code failure} makes (an unchecked exception or an
   * error), claiming nothing.
   */
  void failClaims(int n, java.util.function.Supplier<? extends Throwable> failure) {
    lock.lock();
    try {
      failingClaims = n;
      claimFailure = failure;
    } finally {
      lock.unlock();
    }
  }

  /** Deliveries claims have handed out so far. */
  int handedOut() {
    return locked(() -> handedOut);
  }

  /**
   * Claim calls begun since the last claim that handed something out: once positive, the claimer
   * has finished with what it last got.
   */
  int claimsSinceHandOut() {
    return locked(() -> claimsSinceHandOut);
  }

  /** Unclaim calls made while the store was open, failed ones included. */
  int unclaimCalls() {
    return locked(() -> unclaimCalls);
  }

  List<Delivery> unclaimed() {
    return locked(() -> List.copyOf(unclaimed));
  }

  boolean closed() {
    return locked(() -> closed);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean unique() {
    return false;
  }

  @Override
  public PushResult push(Item item, Duration delay, Duration timeout) {
    lock.lock();
    try {
      ensureOpen();
      ready.addLast(new Entry(item.payload(), 0, 0));
      notEmpty.signalAll();
      return PushResult.ADDED;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<PushResult> pushAll(List<Item> items, Duration timeout) {
    List<PushResult> out = new ArrayList<>();
    for (Item i : items) {
      out.add(push(i, Duration.ZERO, timeout));
    }
    return out;
  }

  @Override
  public PushResult offer(Item item) {
    return push(item, Duration.ZERO, Duration.ZERO);
  }

  @Override
  public List<Delivery> claim(int max, Duration wait) {
    long nanos = wait.toNanos();
    try {
      lock.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueInterruptedException(name, e);
    }
    try {
      ensureOpen();
      if (failingClaims > 0) {
        failingClaims--;
        throw unchecked(claimFailure.get());
      }
      claimsSinceHandOut++;
      claimMaxes.add(max);
      List<Delivery> out = new ArrayList<>(claimedAhead);
      claimedAhead.clear();
      while (out.size() > Math.max(0, max)) {
        Delivery d = out.remove(out.size() - 1);
        ready.addFirst(inFlight.remove(d.id()));
      }
      while (out.isEmpty() && ready.isEmpty() && !closed && nanos > 0) {
        nanos = notEmpty.awaitNanos(nanos);
      }
      if (out.isEmpty()) {
        out.addAll(take(max));
      }
      if (!out.isEmpty()) {
        claimsSinceHandOut = 0;
        handedOut += out.size();
        onHandOut.run();
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueInterruptedException(name, e);
    } finally {
      lock.unlock();
    }
  }

  /** Runs in the claimer's thread after each claim ahead (the hint's caller). */
  void onClaimAhead(Runnable r) {
    onAhead = r;
  }

  /**
   * Records the hint, then takes up to {@code max} ready items ahead, as a store whose claim is a
   * round trip does: in flight, handed out by the next claim (at most its max: the rest goes back
   * to the head).
   */
  @Override
  public boolean claimAhead(int max) {
    boolean took;
    lock.lock();
    try {
      aheadPeaks.add(inFlight.size() + max);
      if (!declineAhead) {
        claimedAhead.addAll(take(max));
      }
      took = !claimedAhead.isEmpty();
    } finally {
      lock.unlock();
    }
    onAhead.run();
    return took;
  }

  /** From now on claimAhead takes nothing and says so, as a store that declines the hint. */
  void declineClaimsAhead() {
    declineAhead = true;
  }

  /** The max of every claim so far, in order. */
  List<Integer> claimMaxes() {
    return locked(() -> List.copyOf(claimMaxes));
  }

  /** At each {@link #claimAhead} so far: what was in flight plus the max hinted. */
  List<Integer> aheadPeaks() {
    return locked(() -> List.copyOf(aheadPeaks));
  }

  /** {@code what}, read under the lock: the accessors tests read the fake's state through. */
  private <T> T locked(java.util.function.Supplier<T> what) {
    lock.lock();
    try {
      return what.get();
    } finally {
      lock.unlock();
    }
  }

  /** Moves up to {@code max} ready items in flight; called with the lock held. */
  private List<Delivery> take(int max) {
    List<Delivery> out = new ArrayList<>();
    while (!closed && out.size() < max && !ready.isEmpty()) {
      Entry e = ready.pollFirst();
      long id = nextId++;
      inFlight.put(id, e);
      out.add(new Delivery(id, e.payload(), e.deliveryCount(), e.recoveryCount(), Instant.EPOCH));
    }
    return out;
  }

  @Override
  public List<Outcome> ack(List<Delivery> deliveries) {
    lock.lock();
    try {
      ensureOpen();
      if (failingAcks > 0) {
        failingAcks--;
        throw new QueueUnavailableException("queue \"" + name + "\": store unreachable (fake)");
      }
      List<Outcome> out = new ArrayList<>();
      for (Delivery d : deliveries) {
        out.add(inFlight.remove(d.id()) != null ? Outcome.DONE : Outcome.STALE);
      }
      return out;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Outcome release(Delivery delivery, Duration delay) {
    lock.lock();
    try {
      ensureOpen();
      if (failingReleases > 0) {
        failingReleases--;
        throw unchecked(releaseFailure.get());
      }
      Entry e = inFlight.remove(delivery.id());
      if (e == null) {
        return Outcome.STALE;
      }
      ready.addLast(new Entry(e.payload(), e.deliveryCount() + 1, e.recoveryCount()));
      notEmpty.signalAll();
      return Outcome.DONE;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<Outcome> unclaim(List<Delivery> deliveries) {
    lock.lock();
    try {
      ensureOpen();
      unclaimCalls++;
      if (failingUnclaims > 0) {
        failingUnclaims--;
        throw new QueueUnavailableException("queue \"" + name + "\": store unreachable (fake)");
      }
      List<Outcome> out = new ArrayList<>();
      List<Entry> back = new ArrayList<>();
      for (Delivery d : deliveries) {
        Entry e = inFlight.remove(d.id());
        out.add(e == null ? Outcome.STALE : mergingUnclaims ? Outcome.MERGED : Outcome.DONE);
        if (e != null && !mergingUnclaims) {
          back.add(e);
          unclaimed.add(d);
        }
      }
      for (int i = back.size() - 1; i >= 0; i--) {
        ready.addFirst(back.get(i));
      }
      notEmpty.signalAll();
      return out;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Outcome deadLetter(Delivery delivery, String reason) {
    lock.lock();
    try {
      ensureOpen();
      return inFlight.remove(delivery.id()) != null ? Outcome.DONE : Outcome.STALE;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean has(byte[] identity) {
    return false;
  }

  @Override
  public long len() {
    lock.lock();
    try {
      ensureOpen();
      return ready.size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long removeAll() {
    lock.lock();
    try {
      ensureOpen();
      long n = ready.size();
      ready.clear();
      return n;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public StoreStats stats() {
    lock.lock();
    try {
      ensureOpen();
      if (failingStats > 0) {
        failingStats--;
        throw new QueueUnavailableException("queue \"" + name + "\": store unreachable (fake)");
      }
      return new StoreStats(ready.size(), 0, inFlight.size(), 0, 0, Optional.empty());
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<DeadLetter> listDead(int offset, int limit) {
    return List.of();
  }

  @Override
  public long replayDead(Collection<Long> ids) {
    return 0;
  }

  @Override
  public long replayAllDead() {
    return 0;
  }

  @Override
  public long purgeDead(Collection<Long> ids) {
    return 0;
  }

  @Override
  public long purgeAllDead() {
    return 0;
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new QueueClosedException(name);
    }
  }

  /** A configured failure as what the store call throws: an Error or an unchecked exception. */
  private static RuntimeException unchecked(Throwable t) {
    if (t instanceof Error) {
      throw (Error) t;
    }
    return (RuntimeException) t;
  }
}
