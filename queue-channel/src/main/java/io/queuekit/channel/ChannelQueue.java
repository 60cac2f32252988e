package io.queuekit.channel;

import io.queuekit.PushResult;
import io.queuekit.QueueClosedException;
import io.queuekit.QueueFullException;
import io.queuekit.QueueInterruptedException;
import io.queuekit.internal.Digests;
import io.queuekit.internal.ItemSize;
import io.queuekit.internal.Nanos;
import io.queuekit.internal.Previews;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreStats;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory {@link BaseQueue} ({@code TYPE=channel}), simple or unique. Ports Gitea's {@code
 * modules/queue/base_channel.go}, with claim/settle in place of its destructive pop, exact
 * uniqueness, delays and a dead-letter store.
 *
 * <p><b>Thread-safety:</b> every method may be called from any thread, and each call is one atomic
 * step. One {@link ReentrantLock}, {@code lock}, guards all state but the in-flight items; those
 * have their own lock ({@link InFlight}), always taken after {@code lock} (never the other way
 * round) by the calls that move items in or out of flight, and alone by {@link #ack}, which
 * touches nothing else: workers settling batches do not queue behind producers for {@code lock}. Producers
 * wait for room on {@code notFull} and claimers wait for items on {@code notEmpty}. Nobody polls: a claim or removeAll signals as many
 * producers as it freed slots, a move into ready signals as many claimers as it added items, and a
 * thread that leaves without using its signal passes it on. Only in-flight items are freed by ack,
 * and in-flight items are not waiting, so ack frees no room here.
 *
 * <p><b>Ordering:</b> FIFO over the ready items. Push, release with no delay and replay append to
 * the tail; unclaim puts items back at the head in the order given. Delayed items sit in a priority
 * queue ordered by due time, then by the order they were delayed; a claim appends every item due at
 * the clock's now to the tail before taking from the head (lazy promotion, no thread per item).
 * Only the first claimer waiting while items are delayed (the leader, as in {@link
 * java.util.concurrent.DelayQueue}) bounds its wait by the earliest due time, so one waiter wakes
 * for it, not all.
 *
 * <p><b>Durability:</b> none. Everything lives on the heap of this process and is lost at close or
 * exit; there is no recovery, so recovery counts stay 0 (replayed copies reset them anyway).
 *
 * <p>Times (first pushed, due, dead at) come from the configured {@link Clock}; waits are real
 * time, and a claimer waiting for a delayed item re-reads the clock at least once per {@code due -
 * now} of real time, so a test clock moved forward is noticed within that bound.
 */
final class ChannelQueue implements BaseQueue {
  private static final Logger LOG = LoggerFactory.getLogger(ChannelQueue.class);

  /** How many bytes of a dropped dead letter its WARN line shows. */

  private static final Comparator<Entry> BY_DUE =
      Comparator.<Entry, Instant>comparing(e -> e.due).thenComparingLong(e -> e.delayOrder);

  private final String name;
  private final boolean unique;
  private final int length;
  private final int maxItemSize;
  private final int deadLetterLength;
  private final Clock clock;

  private final ReentrantLock lock = new ReentrantLock();
  /** Producers waiting for room: signalled when waiting drops below {@code length}. */
  private final Condition notFull = lock.newCondition();
  /** Claimers waiting for items: signalled when one becomes ready or the earliest due changes. */
  private final Condition notEmpty = lock.newCondition();

  // Everything below is guarded by lock.
  private final ArrayDeque<Entry> ready = new ArrayDeque<>();
  private final PriorityQueue<Entry> delayed = new PriorityQueue<>(BY_DUE);
  /** Unique flavour only: every waiting item (ready or delayed) by identity digest. */
  private final Map<Identity, Entry> waiting = new HashMap<>();
  /** In-flight items, behind a lock of their own taken after {@code lock}, or alone by ack. */
  private final InFlight inFlight;
  private final DeadLetters dead;
  private long nextDelayOrder = 1;
  /** The claimer bounding its wait by the earliest due time, or null (DelayQueue's leader). */
  private Thread leader;
  private boolean closed;

  ChannelQueue(BaseQueueConfig config) {
    this.name = config.name();
    this.unique = config.unique();
    this.length = config.settings().length();
    this.maxItemSize = config.settings().maxItemSize();
    this.deadLetterLength = config.settings().deadLetterLength();
    this.dead = new DeadLetters(deadLetterLength);
    this.clock = config.clock();
    this.inFlight = new InFlight(name);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean unique() {
    return unique;
  }

  // ---- push --------------------------------------------------------------------------------

  @Override
  public PushResult push(Item item, Duration delay, Duration timeout) {
    ItemSize.check(name, item, -1, maxItemSize);
    Identity id = identityOf(item);
    long remaining = Nanos.ofNonNegative(timeout);
    // Read and built before the lock, which producers, the claimer and acks all contend for; a
    // push that has to wait for room reads the clock again once admitted (see tryAdmit).
    Instant now = clock.instant();
    lockInterruptibly();
    try {
      ensureOpen();
      boolean waited = false;
      while (true) {
        PushResult result = tryAdmit(item, id, delay, waited ? clock.instant() : now);
        if (result != PushResult.FULL) {
          return result;
        }
        if (remaining <= 0) {
          throw new QueueFullException(name, length, List.of());
        }
        remaining = notFull.awaitNanos(remaining);
        waited = true;
        if (closed) {
          throw new QueueClosedException(name);
        }
      }
    } catch (InterruptedException e) {
      throw interrupted(e);
    } finally {
      passRoomSignal();
      lock.unlock();
    }
  }

  @Override
  public List<PushResult> pushAll(List<Item> items, Duration timeout) {
    for (int i = 0; i < items.size(); i++) {
      ItemSize.check(name, items.get(i), i, maxItemSize);
    }
    List<Identity> ids = new ArrayList<>(items.size());
    for (Item item : items) {
      ids.add(identityOf(item));
    }
    long deadline = System.nanoTime() + Nanos.ofNonNegative(timeout);
    List<PushResult> results = new ArrayList<>(items.size());
    // One clock read for the call, before the lock; again after each wait for room (as push).
    Instant now = clock.instant();
    lockInterruptibly();
    try {
      ensureOpen();
      for (int i = 0; i < items.size(); i++) {
        while (true) {
          PushResult result = tryAdmit(items.get(i), ids.get(i), Duration.ZERO, now);
          if (result != PushResult.FULL) {
            results.add(result);
            break;
          }
          long remaining = deadline - System.nanoTime();
          if (remaining <= 0) {
            throw new QueueFullException(name, length, results);
          }
          notFull.awaitNanos(remaining);
          now = clock.instant();
          if (closed) {
            throw new QueueClosedException(name);
          }
        }
      }
      return results;
    } catch (InterruptedException e) {
      // Items admitted before the interrupt stay admitted, as with QueueFullException.
      throw interrupted(e);
    } finally {
      passRoomSignal();
      lock.unlock();
    }
  }

  @Override
  public PushResult offer(Item item) {
    ItemSize.check(name, item, -1, maxItemSize);
    Identity id = identityOf(item);
    Instant now = clock.instant();
    lock.lock();
    try {
      ensureOpen();
      return tryAdmit(item, id, Duration.ZERO, now);
    } finally {
      lock.unlock();
    }
  }

  /**
   * One admission attempt: DUPLICATE, ADDED, or FULL (nothing stored). Holds the lock. {@code now}
   * is the item's first-pushed time (and the base of its delay): read by the caller, before the
   * lock or after its last wait for room.
   */
  private PushResult tryAdmit(Item item, Identity id, Duration delay, Instant now) {
    if (id != null && waiting.containsKey(id)) {
      return PushResult.DUPLICATE;
    }
    if (waitingCount() >= length) {
      return PushResult.FULL;
    }
    Entry e = new Entry(item.payload(), id, now, 0, 0);
    if (id != null) {
      waiting.put(id, e);
    }
    if (isPositive(delay)) {
      addDelayed(e, dueAt(now, delay));
    } else {
      addReady(e);
    }
    return PushResult.ADDED;
  }

  // ---- claim -------------------------------------------------------------------------------

  @Override
  public List<Delivery> claim(int max, Duration wait) {
    if (max < 1) {
      throw new IllegalArgumentException("claim max must be at least 1, was " + max);
    }
    long remaining = Nanos.ofNonNegative(wait);
    lockInterruptibly();
    try {
      ensureOpen();
      while (!closed) {
        if (!delayed.isEmpty()) {
          promoteDue(clock.instant()); // no clock read per claim while nothing is delayed
        }
        if (!ready.isEmpty()) {
          return take(max);
        }
        if (remaining <= 0) {
          break;
        }
        Entry first = delayed.peek();
        if (first == null || leader != null) {
          remaining = notEmpty.awaitNanos(remaining);
        } else {
          // The leader wakes for the earliest due time; the clock is re-read on every turn.
          Thread me = Thread.currentThread();
          leader = me;
          try {
            long bound = Math.min(remaining, Math.max(1, nanosUntil(first.due)));
            long left = notEmpty.awaitNanos(bound);
            remaining -= bound - left;
          } finally {
            if (leader == me) {
              leader = null;
            }
          }
        }
      }
      return List.of();
    } catch (InterruptedException e) {
      throw interrupted(e);
    } finally {
      // Pass the wake-up on: items this claimer left behind, or a vacant leader post.
      if (!closed && (!ready.isEmpty() || (leader == null && !delayed.isEmpty()))) {
        notEmpty.signal();
      }
      lock.unlock();
    }
  }

  /** Appends every delayed item due at {@code now} to the tail, by due time then delay order. */
  private void promoteDue(Instant now) {
    while (!delayed.isEmpty() && !delayed.peek().due.isAfter(now)) {
      Entry e = delayed.poll();
      e.due = null;
      ready.addLast(e);
    }
  }

  private List<Delivery> take(int max) {
    int n = Math.min(max, ready.size());
    List<Entry> taken = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Entry e = ready.pollFirst();
      if (e.id != null) {
        waiting.remove(e.id);
      }
      taken.add(e);
    }
    List<Delivery> out = inFlight.hand(taken);
    signalProducers(n);
    return out;
  }

  // ---- settle ------------------------------------------------------------------------------

  @Override
  public List<Outcome> ack(List<Delivery> deliveries) {
    // Only the in-flight lock: an ack frees no room and readies nothing (see the class javadoc).
    return inFlight.ack(deliveries);
  }

  @Override
  public Outcome release(Delivery delivery, Duration delay) {
    lock.lock();
    try {
      ensureOpen();
      Entry e = inFlight.remove(delivery.id());
      if (e == null) {
        return Outcome.STALE;
      }
      e.deliveryCount++;
      if (mergedIntoWaiting(e)) {
        return Outcome.MERGED;
      }
      if (isPositive(delay)) {
        addDelayed(e, dueAt(clock.instant(), delay));
      } else {
        addReady(e);
      }
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
      List<Outcome> out = new ArrayList<>(deliveries.size());
      List<Entry> back = new ArrayList<>(deliveries.size());
      for (Delivery d : deliveries) {
        Entry e = inFlight.remove(d.id());
        if (e == null) {
          out.add(Outcome.STALE);
        } else if (mergedIntoWaiting(e)) {
          out.add(Outcome.MERGED);
        } else {
          back.add(e);
          out.add(Outcome.DONE);
        }
      }
      for (int i = back.size() - 1; i >= 0; i--) {
        ready.addFirst(back.get(i));
      }
      signalClaimers(back.size());
      return out;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Outcome deadLetter(Delivery delivery, String reason) {
    DeadLetters.Dead dropped;
    lock.lock();
    try {
      ensureOpen();
      Entry e = inFlight.remove(delivery.id());
      if (e == null) {
        return Outcome.STALE;
      }
      dropped = dead.add(e, reason, clock.instant());
    } finally {
      lock.unlock();
    }
    if (dropped != null) {
      // Logged outside the lock: the dead letter is gone, this line is all that is left of it.
      LOG.warn("queue \"{}\": dead-letter store is at DEAD_LETTER_LENGTH={}; dropped the oldest"
          + " dead letter (reason: {}): {}", name, deadLetterLength,
          Previews.reason(dropped.reason()), Previews.of(dropped.payload()));
    }
    return Outcome.DONE;
  }

  /**
   * Unique flavour: if {@code e}'s identity is already waiting, merges {@code e} into that copy
   * (which keeps its position and due time and takes the larger counts) and returns true.
   * Otherwise registers {@code e} as the waiting copy and returns false; the caller places it.
   */
  private boolean mergedIntoWaiting(Entry e) {
    if (e.id == null) {
      return false;
    }
    Entry copy = waiting.get(e.id);
    if (copy != null) {
      copy.deliveryCount = Math.max(copy.deliveryCount, e.deliveryCount);
      copy.recoveryCount = Math.max(copy.recoveryCount, e.recoveryCount);
      return true;
    }
    waiting.put(e.id, e);
    return false;
  }

  // ---- queries -----------------------------------------------------------------------------

  @Override
  public boolean has(byte[] identity) {
    Identity id = unique ? new Identity(Digests.sha256(identity)) : null;
    lock.lock();
    try {
      ensureOpen();
      return id != null && waiting.containsKey(id);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long len() {
    lock.lock();
    try {
      ensureOpen();
      return waitingCount();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long removeAll() {
    lock.lock();
    try {
      ensureOpen();
      long n = waitingCount();
      ready.clear();
      delayed.clear();
      waiting.clear();
      notFull.signalAll();
      return n;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Counts delayed items already due as ready (they are claimable now; the next claim promotes
   * them). Scans the waiting items for the oldest first-pushed time: O(waiting), which is why the
   * worker pool caches stats.
   */
  @Override
  public StoreStats stats() {
    lock.lock();
    try {
      ensureOpen();
      Instant now = clock.instant();
      long due = 0;
      Instant oldest = null;
      for (Entry e : delayed) {
        if (!e.due.isAfter(now)) {
          due++;
        }
        oldest = older(oldest, e.firstPushed);
      }
      for (Entry e : ready) {
        oldest = older(oldest, e.firstPushed);
      }
      return new StoreStats(ready.size() + due, delayed.size() - due, inFlight.size(),
          dead.size(), dead.dropped(), Optional.ofNullable(oldest));
    } finally {
      lock.unlock();
    }
  }

  // ---- dead letters ------------------------------------------------------------------------

  @Override
  public List<DeadLetter> listDead(int offset, int limit) {
    if (offset < 0 || limit < 0) {
      throw new IllegalArgumentException("offset and limit must not be negative, were " + offset
          + " and " + limit);
    }
    lock.lock();
    try {
      ensureOpen();
      return dead.list(offset, limit);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<DeadLetter> findDead(Collection<Long> ids) {
    List<Long> copy = List.copyOf(ids);
    lock.lock();
    try {
      ensureOpen();
      return dead.find(copy);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long replayDead(Collection<Long> ids) {
    lock.lock();
    try {
      ensureOpen();
      return replay(dead.take(ids));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long replayAllDead() {
    lock.lock();
    try {
      ensureOpen();
      return replay(dead.takeAll());
    } finally {
      lock.unlock();
    }
  }

  /** Moves the named dead letters to the tail, counts reset; always admitted (§3.4). */
  private long replay(List<DeadLetters.Dead> letters) {
    int added = 0;
    for (DeadLetters.Dead d : letters) {
      Entry e = new Entry(d.payload(), d.identity(), d.firstPushed(), 0, 0);
      if (!mergedIntoWaiting(e)) {
        ready.addLast(e);
        added++;
      }
    }
    signalClaimers(added);
    return letters.size();
  }

  @Override
  public long purgeDead(Collection<Long> ids) {
    lock.lock();
    try {
      ensureOpen();
      return dead.take(ids).size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long purgeAllDead() {
    lock.lock();
    try {
      ensureOpen();
      return dead.takeAll().size();
    } finally {
      lock.unlock();
    }
  }

  // ---- close -------------------------------------------------------------------------------

  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      long waitingItems = waitingCount();
      int flying = inFlight.size();
      int deadLetters = dead.size();
      if (waitingItems + flying + deadLetters > 0) {
        // documented, but an operator reading the log of a restart should not have to know it
        LOG.warn("queue \"{}\": closing discards {} waiting item(s), {} in flight and {} dead "
            + "letter(s): a channel queue keeps nothing (TYPE=level keeps them)", name,
            waitingItems, flying, deadLetters);
      }
      inFlight.close();
      ready.clear();
      delayed.clear();
      waiting.clear();
      dead.clear();
      // Blocked pushers throw QueueClosedException, blocked claimers return nothing.
      notFull.signalAll();
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "ChannelQueue[" + name + (unique ? ", unique" : ", simple") + "]";
  }

  // ---- helpers (lock held unless said otherwise) -------------------------------------------

  private long waitingCount() {
    return (long) ready.size() + delayed.size();
  }

  private void addReady(Entry e) {
    ready.addLast(e);
    signalClaimers(1);
  }

  private void addDelayed(Entry e, Instant due) {
    e.due = due;
    e.delayOrder = nextDelayOrder++;
    delayed.add(e);
    if (delayed.peek() == e) {
      // A new earliest due time: the leader's bound is too long now, so elect one afresh.
      leader = null;
      notEmpty.signal();
    }
  }

  private void signalClaimers(int n) {
    for (int i = 0; i < n && lock.hasWaiters(notEmpty); i++) {
      notEmpty.signal();
    }
  }

  private void signalProducers(int freed) {
    long room = length - waitingCount();
    for (long i = 0; i < Math.min(freed, room) && lock.hasWaiters(notFull); i++) {
      notFull.signal();
    }
  }

  /** A producer leaving (admitted, duplicate, timed out, interrupted) passes unused room on. */
  private void passRoomSignal() {
    if (!closed && waitingCount() < length && lock.hasWaiters(notFull)) {
      notFull.signal();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new QueueClosedException(name);
    }
  }

  /** Takes the lock; a thread interrupted before or while waiting for it changes nothing. */
  private void lockInterruptibly() {
    try {
      lock.lockInterruptibly();
    } catch (InterruptedException e) {
      throw interrupted(e);
    }
  }

  private QueueInterruptedException interrupted(InterruptedException e) {
    Thread.currentThread().interrupt();
    return new QueueInterruptedException(name, e);
  }

  /** The digest a unique queue compares; null on a simple queue, which never compares. */
  private Identity identityOf(Item item) {
    return unique ? new Identity(Digests.sha256(item.identity())) : null;
  }

  private long nanosUntil(Instant due) {
    return Nanos.ofNonNegative(Duration.between(clock.instant(), due));
  }

  /** {@code now + delay}, saturating: a state change must never fail half-way on an overflow. */
  private static Instant dueAt(Instant now, Duration delay) {
    try {
      return now.plus(delay);
    } catch (DateTimeException | ArithmeticException overflow) {
      return Instant.MAX;
    }
  }

  private static boolean isPositive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }

  private static Instant older(Instant a, Instant b) {
    return a == null || b.isBefore(a) ? b : a;
  }
}
