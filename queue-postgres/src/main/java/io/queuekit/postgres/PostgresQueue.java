package io.queuekit.postgres;

import io.queuekit.PushResult;
import io.queuekit.QueueClosedException;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueFullException;
import io.queuekit.QueueInterruptedException;
import io.queuekit.QueueSettings;
import io.queuekit.QueueUnavailableException;
import io.queuekit.internal.Digests;
import io.queuekit.internal.ItemSize;
import io.queuekit.internal.Nanos;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.StoreNotFoundException;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreEvents;
import io.queuekit.spi.StoreStats;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code TYPE=postgres}: one named queue in the tables of a PostgreSQL schema, shared by every
 * process that opens the same name there. Each operation is one call of a PL/pgSQL function (or
 * one statement), so one transaction: the rules of {@link BaseQueue} hold across processes.
 *
 * <h2>Layout 1 (tables shared by the queues of a schema; docs/DESIGN.md §3.8)</h2>
 *
 * <pre>
 *   queuekit_layout   version, functions             the layout of the schema (1), the revision
 *                                                    of its functions (see PgLayout)
 *   queuekit_queue    queue PK, uniq, dead_dropped   flavour, fixed at first open
 *   queuekit_room     (queue, slot 0..7) PK, waiting, cap
 *                     LENGTH split in 8 caps: a push locks one slot with room, skipping
 *                     locked ones, so pushes do not queue on one row; len() = sum(waiting)
 *   queuekit_item     id PK, queue, state R|D|F, payload, digest (unique queues: SHA-256),
 *                     deliveries, recoveries, first_pushed, slot,
 *                     R: pos (tail +nextval, head -nextval of one sequence)
 *                     D: due_at, delay_seq (release order)
 *                     F: delivery_id (a sequence: never reused), consumer
 *     indexes         (queue, pos) WHERE R          the head: claim reads it, no scan
 *                     (queue, due_at, delay_seq) WHERE D
 *                     UNIQUE (delivery_id) WHERE F   fencing: settles match (queue, id, F)
 *                     (consumer, queue) WHERE F      recovery
 *                     UNIQUE (queue, digest) WHERE R or D: the unique set, exact across
 *                     processes because it is an index
 *   queuekit_dead     id PK, queue, payload, digest, reason, counts, first_pushed, dead_at
 *   queuekit_consumer id PK, beat_at (server clock)  one per open queue per process
 *   queuekit_waiter   (queue, kind w|r, channel) PK, expires_at
 * </pre>
 *
 * <p><b>Claim</b> promotes due delayed items (due time, then release order), then takes up to
 * {@code max} ready rows in {@code pos} order with {@code FOR UPDATE SKIP LOCKED} and moves them
 * into flight under a fresh delivery id, stopping at the first recovered item unless it is alone.
 * A claim that finds nothing looks again in a second transaction that first takes an exclusive
 * advisory lock every push holds shared, and registers the process as a waiter, so either it
 * sees a push or the push sees it; it then waits for a notification (see {@link PgStore}) and
 * runs no query while idle, except when a delayed item falls due. The lock order every function
 * keeps, and why some steps take a transaction of their own, is in {@code layout-1.sql} and
 * docs/DESIGN.md §3.7.
 *
 * <p><b>Recovery.</b> Items in flight under a consumer whose beat is older than {@code
 * CONSUMER_TIMEOUT} go back to the head in claim order with recovery count + 1, quarantined at
 * {@code MAX_RECOVERIES}; run at open and whenever the process beat finds one.
 *
 * <p><b>Durability:</b> each call returns after its transaction commits.
 *
 * <p><b>Thread-safety:</b> every method may be called from any thread.
 */
final class PostgresQueue implements BaseQueue {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresQueue.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Items per pushAll transaction while there is room. */
  private static final int PUSH_ALL_CHUNK = 500;

  private final String name;
  private final String q;
  private final boolean unique;
  private final QueueSettings settings;
  private final Clock clock;
  private final StoreEvents events;
  private final PgStore store;
  private final Runnable onClose;
  private final String consumer;
  private final PgCalls calls;
  private final Set<Long> held = ConcurrentHashMap.newKeySet();
  /** Serializes claim statements with the give-back that follows a lost claim reply. */
  private final ReentrantLock claiming = new ReentrantLock();
  /** A claim failed: its transaction may have committed with the reply lost. */
  private volatile boolean claimReplyLost;

  private final PgWaits waits;
  /** Guards active and closed: close waits for calls in progress. */
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private int active;
  private boolean closed;

  PostgresQueue(BaseQueueConfig config, PgStore store, Runnable onClose) {
    this(config, config.unique(), store, onClose);
  }

  /** A queue of flavour {@code unique} (the stored one, when opening an existing queue). */
  PostgresQueue(BaseQueueConfig config, boolean unique, PgStore store, Runnable onClose) {
    this.name = config.name();
    this.q = config.queueFullName();
    this.unique = unique;
    this.settings = config.settings();
    this.clock = config.clock();
    this.events = config.events();
    this.store = store;
    this.onClose = onClose;
    byte[] id = new byte[8];
    RANDOM.nextBytes(id);
    this.consumer = HexFormat.of().formatHex(id);
    this.calls = new PgCalls(store, name, q);
    this.waits = new PgWaits(name, clock);
  }

  /** Registers the queue (flavour, LENGTH), recovers what silent consumers left, joins the store. */
  void open() {
    open(false);
  }

  /**
   * As {@link #open()}; with {@code existing}, registers no new queue: one without a row is a
   * {@link StoreNotFoundException}, nothing written.
   */
  void open(boolean existing) {
    Boolean stored;
    try {
      stored = calls.openQueue(unique, settings.length(), existing);
    } catch (PgLayout.NewerLayoutException e) {
      throw PgLayout.refusal(name, store.conn, e.found);
    }
    if (stored == null) {
      throw notFound(name, q, store);
    }
    if (stored != unique) {
      throw new QueueConfigException("queue \"" + name + "\" (" + q + ") is stored on "
          + store.conn + " as a " + flavour(stored) + " queue; it cannot be opened as a "
          + flavour(unique) + " one");
    }
    store.register(this);
    recoverSilentConsumers();
  }

  static StoreNotFoundException notFound(String name, String q, PgStore store) {
    return new StoreNotFoundException("queue \"" + name + "\": no store: schema "
        + store.conn.schema() + " of PostgreSQL at " + store.conn + " holds no queue " + q
        + "; nothing was created. Check the queue's name and QUEUE_NAME");
  }

  private static String flavour(boolean unique) {
    return unique ? "unique" : "simple";
  }

  @Override
  public String name() {
    return name;
  }

  String storageName() {
    return q;
  }

  String consumer() {
    return consumer;
  }

  Duration consumerTimeout() {
    return settings.consumerTimeout();
  }

  /** Whether this queue holds deliveries (the process then beats more often). */
  boolean holding() {
    return !held.isEmpty();
  }

  @Override
  public boolean unique() {
    return unique;
  }

  // ---- push -------------------------------------------------------------------------------

  @Override
  public PushResult push(Item item, Duration delay, Duration timeout) {
    enter();
    try {
      ItemSize.check(name, item, -1, settings.maxItemSize());
      PushResult r = admit(item, delay, System.nanoTime() + Nanos.ofNonNegative(timeout), true);
      if (r == PushResult.FULL) {
        throw new QueueFullException(name, settings.length(), List.of());
      }
      return r;
    } finally {
      exit();
    }
  }

  @Override
  public List<PushResult> pushAll(List<Item> items, Duration timeout) {
    enter();
    try {
      for (int i = 0; i < items.size(); i++) {
        ItemSize.check(name, items.get(i), i, settings.maxItemSize());
      }
      long deadline = System.nanoTime() + Nanos.ofNonNegative(timeout);
      List<PushResult> results = new ArrayList<>(items.size());
      int i = 0;
      while (i < items.size()) {
        // while there is room: up to PUSH_ALL_CHUNK items per transaction and round trip
        checkInterrupt();
        List<Item> chunk = items.subList(i, Math.min(items.size(), i + PUSH_ALL_CHUNK));
        List<byte[]> payloads = new ArrayList<>(chunk.size());
        List<byte[]> digests = new ArrayList<>(chunk.size());
        for (Item item : chunk) {
          payloads.add(item.payload());
          digests.add(unique ? Digests.sha256(item.identity()) : null);
        }
        int[] done = calls.pushAll(payloads, digests, clock.millis(),
            ThreadLocalRandom.current().nextInt(8));
        for (int r : done) {
          results.add(r == 0 ? PushResult.ADDED : PushResult.DUPLICATE);
        }
        i += done.length;
        if (done.length < chunk.size()) {
          // full: this item waits for room alone, then the batch goes on
          PushResult r = admit(items.get(i), Duration.ZERO, deadline, true);
          if (r == PushResult.FULL) {
            throw new QueueFullException(name, settings.length(), List.copyOf(results));
          }
          results.add(r);
          i++;
        }
      }
      return results;
    } finally {
      exit();
    }
  }

  @Override
  public PushResult offer(Item item) {
    enter();
    try {
      ItemSize.check(name, item, -1, settings.maxItemSize());
      return admit(item, Duration.ZERO, System.nanoTime(), false);
    } finally {
      exit();
    }
  }

  /** One item: ADDED, DUPLICATE, or FULL once {@code deadline} passed with no room. */
  private PushResult admit(Item item, Duration delay, long deadline, boolean mayWait) {
    byte[] digest = unique ? Digests.sha256(item.identity()) : null;
    int hint = ThreadLocalRandom.current().nextInt(8);
    while (true) {
      checkInterrupt();
      long seen = waits.roomSignals();
      int r = calls.push(item.payload(), digest, delay.toMillis(), clock.millis(), hint, false);
      if (r == 5) {
        r = calls.push(item.payload(), digest, delay.toMillis(), clock.millis(), hint, true);
      }
      if (r == 0) {
        return PushResult.ADDED;
      }
      if (r == 1) {
        return PushResult.DUPLICATE;
      }
      if (!mayWait || deadline - System.nanoTime() <= 0) {
        return PushResult.FULL;
      }
      // full: register for a room notification, unless room appeared meanwhile (push again)
      if (calls.waitRoom(store.channel) && !waits.awaitRoom(seen, deadline)) {
        return PushResult.FULL;
      }
    }
  }

  // ---- claim ------------------------------------------------------------------------------

  @Override
  public List<Delivery> claim(int max, Duration wait) {
    enter();
    try {
      checkInterrupt();
      long deadline = System.nanoTime() + Nanos.ofNonNegative(wait);
      while (true) {
        Boolean look = waits.mustLook(wait.isZero());
        if (look == null) {
          return List.of(); // closed
        }
        if (look) {
          boolean register = deadline - System.nanoTime() > 0;
          PgCalls.Claimed c = claimOnce(max, register);
          if (!c.deliveries().isEmpty()) {
            waits.tookItems();
            return c.deliveries();
          }
          waits.foundNothing(c.nextDue(), register,
              TimeUnit.MILLISECONDS.toNanos(2 * settings.consumerTimeout().toMillis()));
        }
        if (!waits.awaitWork(deadline)) {
          return List.of();
        }
      }
    } finally {
      exit();
    }
  }

  /**
   * One claim statement. A claim that fails may have committed with its reply lost, leaving items
   * in flight under this consumer that nobody holds and its beat keeps alive: the next claim
   * first gives back whatever is in flight under this consumer and not held (docs/DESIGN.md
   * §3.6). Claims of this queue take turns so a give-back never sees a claim's rows before the
   * claim's caller holds them.
   */
  private PgCalls.Claimed claimOnce(int max, boolean register) {
    claiming.lock();
    try {
      if (claimReplyLost) {
        int back = calls.giveBack(consumer, Set.copyOf(held));
        claimReplyLost = false;
        if (back > 0) {
          LOG.warn("queue \"{}\": gave back {} item(s) a claim whose reply was lost had put in "
              + "flight", name, back);
        }
      }
      try {
        long ttl = 3 * settings.consumerTimeout().toMillis();
        long beat = settings.consumerTimeout().toMillis() / 3;
        PgCalls.Claimed c = calls.claim(max, clock.millis(), consumer, store.channel, false, ttl,
            beat);
        if (c.deliveries().isEmpty() && register) {
          // nothing ready: look once more under the claim lock, registering to be woken
          c = calls.claim(max, clock.millis(), consumer, store.channel, true, ttl, beat);
        }
        c.deliveries().forEach(d -> held.add(d.id()));
        return c;
      } catch (RuntimeException e) {
        claimReplyLost = true;
        throw e;
      }
    } finally {
      claiming.unlock();
    }
  }

  /** For tests: as if the last claim's reply had been lost. */
  void claimReplyLost() {
    claimReplyLost = true;
  }

  /** What this queue's waiting threads are told by the listener thread. */
  PgWaits waits() {
    return waits;
  }

  // ---- settle -----------------------------------------------------------------------------

  @Override
  public List<Outcome> ack(List<Delivery> deliveries) {
    enter();
    try {
      List<Outcome> out = calls.ack(deliveries);
      deliveries.forEach(d -> held.remove(d.id()));
      return out;
    } finally {
      exit();
    }
  }

  @Override
  public Outcome release(Delivery delivery, Duration delay) {
    enter();
    try {
      Outcome o = calls.release(delivery.id(), delay.toMillis(), clock.millis());
      held.remove(delivery.id());
      return o;
    } finally {
      exit();
    }
  }

  @Override
  public List<Outcome> unclaim(List<Delivery> deliveries) {
    enter();
    try {
      List<Outcome> out = calls.unclaim(deliveries);
      deliveries.forEach(d -> held.remove(d.id()));
      return out;
    } finally {
      exit();
    }
  }

  @Override
  public Outcome deadLetter(Delivery delivery, String reason) {
    enter();
    try {
      Long dead = calls.bury(delivery.id(), reason, clock.millis(),
          settings.deadLetterLength());
      held.remove(delivery.id());
      return dead == null ? Outcome.STALE : Outcome.DONE;
    } finally {
      exit();
    }
  }

  /** Puts back what silent consumers of this queue left in flight; reports quarantines. */
  void recoverSilentConsumers() {
    List<Long> dead = calls.recover(settings.consumerTimeout().toMillis(),
        settings.maxRecoveries(), clock.millis(), settings.deadLetterLength());
    if (!dead.isEmpty()) {
      for (DeadLetter d : calls.deadLetters(dead)) {
        events.deadLettered(d);
      }
    }
  }

  // ---- queries and maintenance ------------------------------------------------------------

  @Override
  public boolean has(byte[] identity) {
    enter();
    try {
      return unique && calls.has(Digests.sha256(identity));
    } finally {
      exit();
    }
  }

  @Override
  public long len() {
    enter();
    try {
      return calls.len();
    } finally {
      exit();
    }
  }

  @Override
  public long removeAll() {
    enter();
    try {
      return calls.removeAll();
    } finally {
      exit();
    }
  }

  @Override
  public StoreStats stats() {
    enter();
    try {
      return calls.stats(clock.millis());
    } finally {
      exit();
    }
  }

  @Override
  public List<DeadLetter> listDead(int offset, int limit) {
    enter();
    try {
      return calls.listDead(offset, limit);
    } finally {
      exit();
    }
  }

  @Override
  public List<DeadLetter> findDead(Collection<Long> ids) {
    List<Long> copy = List.copyOf(new TreeSet<>(ids));
    enter();
    try {
      return copy.isEmpty() ? List.of() : calls.deadLetters(copy);
    } finally {
      exit();
    }
  }

  @Override
  public long replayDead(Collection<Long> ids) {
    enter();
    try {
      return calls.replay(ids.stream().mapToLong(Long::longValue).toArray());
    } finally {
      exit();
    }
  }

  @Override
  public long replayAllDead() {
    enter();
    try {
      return calls.replay(null);
    } finally {
      exit();
    }
  }

  @Override
  public long purgeDead(Collection<Long> ids) {
    enter();
    try {
      return calls.purge(ids.stream().mapToLong(Long::longValue).toArray());
    } finally {
      exit();
    }
  }

  @Override
  public long purgeAllDead() {
    enter();
    try {
      return calls.purge(null);
    } finally {
      exit();
    }
  }

  // ---- life cycle -------------------------------------------------------------------------

  @Override
  public void close() {
    if (!shut()) {
      return;
    }
    try {
      calls.forgetWaiters(store.channel);
    } catch (QueueUnavailableException e) {
      // a close must not fail for an outage: the registration expires by itself, and a push
      // that still finds it wakes nobody here (the items wait for another process's claim)
      LOG.warn("queue \"{}\": closed without removing its waiter registration: {}", name,
          e.getMessage());
    } finally {
      onClose.run();
    }
  }

  /**
   * Stops as a killed process would, for tests: nothing settled, nothing unregistered in the
   * database, the beat stopped and made old, so the next open (or another process) recovers what
   * this queue held.
   */
  void crash() {
    if (shut()) {
      calls.silence(consumer);
      onClose.run();
    }
  }

  /** Marks the queue closed, wakes waiters and waits for calls in progress; false if it was. */
  private boolean shut() {
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      closed = true;
      waits.close();
      changed.signalAll();
      while (active > 0) {
        changed.awaitUninterruptibly();
      }
    } finally {
      lock.unlock();
    }
    store.unregister(this);
    return true;
  }

  private void enter() {
    lock.lock();
    try {
      if (closed) {
        throw new QueueClosedException(name);
      }
      active++;
    } finally {
      lock.unlock();
    }
  }

  private void exit() {
    lock.lock();
    try {
      if (--active == 0 && closed) {
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  private void checkInterrupt() {
    if (Thread.currentThread().isInterrupted()) {
      throw new QueueInterruptedException(name, new InterruptedException("interrupted"));
    }
  }
}
