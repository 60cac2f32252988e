package io.queuekit.redis;

import static io.queuekit.redis.Entries.str;

import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScoredValue;
import io.queuekit.PushResult;
import io.queuekit.QueueClosedException;
import io.queuekit.QueueHealth;
import io.queuekit.QueueInterruptedException;
import io.queuekit.QueueSettings;
import io.queuekit.QueueUnavailableException;
import io.queuekit.internal.ItemSize;
import io.queuekit.internal.Nanos;
import io.queuekit.redis.Scripts.Script;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreStats;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code redis} backend: one named queue stored in Redis, shared by every process and host
 * that opens the same name on the same server (or cluster).
 *
 * <p>The keys, their types and the entry format are drawn in {@link RedisLayout} (layout version
 * {@value RedisLayout#LAYOUT_VERSION}, with the migration from layout 1).
 *
 * <h2>Processes</h2>
 *
 * <p>This class runs the {@link BaseQueue} operations; each protocol around
 * them lives, with its explanation, in the class that runs it:
 * <ul>
 *   <li>{@link Pusher}: pushing, split into store calls, and waiting for room;
 *   <li>{@link ClaimLoop}: claiming, and waiting for wake tokens between claims;
 *   <li>{@link RedisCalls}: the one call path (error mapping, retry with backoff, outages);
 *   <li>{@link AckByClaim}: an ack's ids grouped by the claim that holds each;
 *   <li>{@link ConsumerLease}: register, beat, sweep, reap, recover;
 *   <li>{@link Promoter}: the lease that wakes a waiter when a delayed item falls due;
 *   <li>{@link WakeWaiter}: the blocking wait for wake tokens;
 *   <li>{@link RoomWatcher}: producers waiting for room on a full queue;
 *   <li>{@link Entries}: the entry and dead-letter format drawn in {@link RedisLayout}.
 * </ul>
 *
 * <p>An idle queue costs one long {@code BLPOP} per waiter a minute and two commands per idle beat
 * (two {@code CONSUMER_TIMEOUT}s), with one {@code EXISTS} per process per tick ({@link BeatGroup}).
 *
 * <p><b>Thread-safety:</b> every method may be called from any thread. <b>Ordering:</b> FIFO per
 * queue across processes; recovered and unclaimed items go to the head. <b>Durability:</b> as
 * durable as the Redis server's persistence ({@code appendonly yes}, {@code appendfsync always}
 * for no loss on a server crash); every step is one script, so a crash of either side leaves no
 * half-done step.
 */
final class RedisQueue implements BaseQueue {
  private static final Logger log = LoggerFactory.getLogger(RedisQueue.class);

  private final String name;
  private final boolean unique;
  private final QueueSettings settings;
  private final Clock clock;
  private final BaseQueueConfig config;
  private final SharedClient shared;
  private final RedisKeys keys;
  final Duration blockTimeout;
  private final RedisCalls calls;
  private final ConsumerLease lease;
  private final WakeWaiter waker;
  private final RoomWatcher room;
  private final ClaimLoop claims;
  private final Census census;
  private final Pusher pusher;

  /** Guards {@link #wakeCond} (claimers of this process waiting in process) and {@link #closing}. */
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wakeCond = lock.newCondition();
  /** Signalled at close only: pushes pausing between retries. */
  private final Condition closing = lock.newCondition();
  private final ReentrantReadWriteLock ops = new ReentrantReadWriteLock();
  private volatile boolean closed;

  RedisQueue(BaseQueueConfig config, RedisConnStr conn, SharedClients clients,
      SharedClient.StartPolicy start, Duration blockTimeout) {
    this.config = config;
    this.name = config.name();
    this.settings = config.settings();
    this.clock = config.clock();
    this.keys = new RedisKeys(name, conn.prefix, config.queueFullName(), config.setFullName());
    conn.unknownOptionsMessage().ifPresent(m -> log.warn("queue \"{}\": {}", name, m));
    this.shared = clients.acquire(conn, name, start);
    long ttlMs = Math.max(1000, settings.consumerTimeout().toMillis());
    Duration half = shared.commandTimeout.dividedBy(2);
    // the blocking timeout stays below the command timeout, or Lettuce would time BLPOP out
    this.blockTimeout = blockTimeout.compareTo(half) < 0 ? blockTimeout : half;
    String display = host() + " " + ManagementFactory.getRuntimeMXBean().getPid();
    this.calls = new RedisCalls(name, settings, shared, keys, config.events(),
        () -> closed, nanos -> awaitLocal(closing, nanos));
    // the keys are opened before the parts that use the flavour are built: opening an existing
    // queue learns it there (nothing below touches Redis before the open)
    try {
      this.unique = RedisLayout.open(name, config.unique(),
          config.open() == BaseQueueConfig.Open.EXISTING, calls, shared, keys,
          conn.prefix + config.queueFullName());
    } catch (RuntimeException e) {
      shared.release();
      throw e;
    }
    this.lease = new ConsumerLease(name, calls, shared, keys, settings, clock,
        config.scheduler(), ttlMs, display, unique, () -> closed, this::signalWake);
    this.waker = new WakeWaiter(name, shared, keys, () -> closed,
        nanos -> awaitLocal(wakeCond, nanos), this::signalWake);
    this.room = new RoomWatcher(name, shared, keys, this.blockTimeout, () -> closed);
    this.claims = new ClaimLoop(name, settings, clock, this.blockTimeout, calls, lease, waker,
        room, () -> closed, nanos -> awaitLocal(wakeCond, nanos), shared.transactional());
    this.census = new Census(calls, shared, keys, clock, ttlMs);
    this.pusher = new Pusher(name, unique, settings, clock, calls, room, this::signalWake,
        due -> lease.promoter().dueAt(due), claims::lastMax);
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "unknown-host";
    }
  }

  // ───────────────────────────── BaseQueue ─────────────────────────────

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean unique() {
    return unique;
  }

  @Override
  public PushResult push(Item item, Duration delay, Duration timeout) {
    ItemSize.check(name, item, -1, settings.maxItemSize());
    return pushAllFrom(List.of(item), delay, timeout, true).get(0);
  }

  @Override
  public List<PushResult> pushAll(List<Item> items, Duration timeout) {
    for (int i = 0; i < items.size(); i++) {
      ItemSize.check(name, items.get(i), i, settings.maxItemSize());
    }
    return pushAllFrom(items, Duration.ZERO, timeout, false);
  }

  @Override
  public PushResult offer(Item item) {
    ItemSize.check(name, item, -1, settings.maxItemSize());
    enter();
    try {
      return pusher.offer(item);
    } finally {
      exit();
    }
  }

  private List<PushResult> pushAllFrom(List<Item> items, Duration delay, Duration timeout,
      boolean single) {
    interruptCheck();
    enter();
    try {
      return pusher.push(items, delay, System.nanoTime() + Nanos.ofNonNegative(timeout), single);
    } finally {
      exit();
    }
  }

  @Override
  public List<Delivery> claim(int max, Duration wait) {
    interruptCheck();
    enter();
    try {
      List<Delivery> out = claims.claim(max, wait);
      if (out.size() > max) {
        // a claim sent ahead for more than the caller asks now (its worker cap fell since)
        int keep = Math.max(0, max);
        List<Delivery> extra = out.subList(keep, out.size());
        try {
          giveBack(extra);
        } catch (RuntimeException e) {
          // held by no delivery now, the sweep hands them back to the head
          for (Delivery d : extra) {
            lease.forget(d.id());
          }
          lease.needSweep();
          log.warn("queue \"{}\": could not give back {} items claimed ahead beyond the claim's "
              + "max ({}); the consumer's next sweep hands them back", name, extra.size(),
              e.getMessage());
        }
        out = List.copyOf(out.subList(0, keep));
      }
      return out;
    } finally {
      exit();
    }
  }

  @Override
  public boolean claimAhead(int max) {
    ops.readLock().lock();
    try {
      return !closed && claims.claimAhead(max);
    } finally {
      ops.readLock().unlock();
    }
  }

  @Override
  public List<Outcome> ack(List<Delivery> deliveries) {
    enter();
    try {
      List<Outcome> out = new ArrayList<>(Arrays.asList(new Outcome[deliveries.size()]));
      // group by the consumer id each was claimed under: one script per in-flight hash, and in
      // it by claim
      for (Map.Entry<String, List<Integer>> e : byConsumer(deliveries, out).entrySet()) {
        AckByClaim ack = new AckByClaim(settings.length(), deliveries, e.getValue(),
            lease::claimOf, out);
        if (ack.sent().isEmpty()) {
          continue;
        }
        List<Object> r = settle(Script.ACK, e.getKey(), ack.sent(), deliveries, ack.args());
        if ((Long) r.get(0) == 1) {
          room.signal();
        }
        ack.outcomes(r, out);
      }
      return out;
    } finally {
      exit();
    }
  }

  /** Groups held deliveries by consumer id (indexes); marks the others STALE in {@code out}. */
  private Map<String, List<Integer>> byConsumer(List<Delivery> deliveries, List<Outcome> out) {
    Map<String, List<Integer>> byConsumer = new LinkedHashMap<>();
    for (int i = 0; i < deliveries.size(); i++) {
      String c = lease.holder(deliveries.get(i).id());
      if (c == null) {
        out.set(i, Outcome.STALE);
      } else {
        byConsumer.computeIfAbsent(c, x -> new ArrayList<>()).add(i);
      }
    }
    return byConsumer;
  }

  @Override
  public Outcome release(Delivery delivery, Duration delay) {
    enter();
    try {
      String c = lease.holder(delivery.id());
      if (c == null) {
        return Outcome.STALE;
      }
      List<Object> r = settle(Script.RELEASE, c, List.of(0), List.of(delivery),
          new byte[][] {str(delivery.id()), str(clock.millis()), str(Math.max(0, delay.toMillis())),
              str(settings.deadLetterLength()), str(claimField(delivery))});
      long code = (Long) r.get(0);
      calls.report(r, 1);
      if (code == 1 && delay.isZero()) {
        signalWake();
      } else if (code == 1 && delay.toMillis() > 0) {
        lease.promoter().dueAt(clock.millis() + delay.toMillis());
      }
      // 3: the entry in flight was malformed and is a dead letter now (reported above)
      return code == 0 ? Outcome.STALE : code == 2 ? Outcome.MERGED : Outcome.DONE;
    } finally {
      exit();
    }
  }

  @Override
  public List<Outcome> unclaim(List<Delivery> deliveries) {
    enter();
    try {
      return giveBack(deliveries);
    } finally {
      exit();
    }
  }

  /** {@link #unclaim}'s work, for a caller that has entered (or holds {@code ops} to close). */
  private List<Outcome> giveBack(List<Delivery> deliveries) {
    List<Outcome> out = new ArrayList<>(Arrays.asList(new Outcome[deliveries.size()]));
    boolean any = false;
    for (Map.Entry<String, List<Integer>> e : byConsumer(deliveries, out).entrySet()) {
      List<Integer> idx = e.getValue();
      // the claims holding them, each exploded first (and no other: their acks stay whole)
      Set<String> fields = new LinkedHashSet<>();
      for (int i : idx) {
        fields.add(claimField(deliveries.get(i)));
      }
      List<byte[]> args = new ArrayList<>(3 + fields.size() + idx.size());
      args.add(str(clock.millis()));
      args.add(str(settings.deadLetterLength()));
      args.add(str(fields.size()));
      for (String f : fields) {
        args.add(str(f));
      }
      for (int i : idx) {
        args.add(str(deliveries.get(i).id()));
      }
      List<Object> r = settle(Script.UNCLAIM, e.getKey(), idx, deliveries,
          args.toArray(new byte[0][]));
      for (int j = 0; j < idx.size(); j++) {
        long code = (Long) r.get(j);
        any |= code == 1;
        // 3: malformed in flight, a dead letter now (reported below)
        out.set(idx.get(j), code == 0 ? Outcome.STALE : code == 2 ? Outcome.MERGED : Outcome.DONE);
      }
      calls.report(r, idx.size());
    }
    if (any) {
      signalWake();
    }
    return out;
  }

  @Override
  public Outcome deadLetter(Delivery delivery, String reason) {
    enter();
    try {
      String c = lease.holder(delivery.id());
      if (c == null) {
        return Outcome.STALE;
      }
      List<Object> r = settle(Script.DEADLETTER, c, List.of(0), List.of(delivery),
          new byte[][] {str(delivery.id()), str(reason == null ? "" : reason), str(clock.millis()),
              str(settings.deadLetterLength()), str(claimField(delivery))});
      if ((Long) r.get(0) == 0) {
        return Outcome.STALE;
      }
      calls.logDropped(r, 1);
      return Outcome.DONE;
    } finally {
      exit();
    }
  }

  /** The in-flight field of the claim holding {@code d} (explode it first), or "" if not held. */
  private String claimField(Delivery d) {
    HeldDeliveries.Range k = lease.claimOf(d.id());
    return k == null ? "" : k.field();
  }

  /** Runs a settle script; the deliveries stop being held whatever the outcome. */
  private List<Object> settle(Script s, String c, List<Integer> idx, List<Delivery> deliveries,
      byte[][] args) {
    boolean forget = true;
    try {
      return calls.call(s, c, args);
    } catch (QueueUnavailableException e) {
      // Redis is unreachable: the step may or may not have run. The deliveries stay held, so the
      // pool's retry runs the script again (fencing makes a second run of a step that did run
      // STALE, changing nothing) and no sweep hands the items back meanwhile to be handled twice.
      // A consumer reaped during the outage forgets what it held (fenced), and the retry is STALE.
      forget = false;
      throw e;
    } finally {
      if (forget) {
        // the step ran, or failed for good (a key of the wrong type): the next sweep, not a
        // retry, deals with an entry left in flight
        long[] dids = new long[idx.size()];
        for (int j = 0; j < dids.length; j++) {
          dids[j] = deliveries.get(idx.get(j)).id();
        }
        lease.forget(dids);
      }
    }
  }

  @Override
  public boolean has(byte[] identity) {
    enter();
    try {
      if (!unique) {
        return false;
      }
      return calls.get(shared.async.hexists(RedisKeys.b(keys.unique),
          str(Pusher.digest(identity))), "has");
    } finally {
      exit();
    }
  }

  @Override
  public long len() {
    enter();
    try {
      return calls.<Long>call(Script.LEN, null);
    } finally {
      exit();
    }
  }

  @Override
  public long removeAll() {
    enter();
    try {
      List<Object> r = calls.call(Script.REMOVEALL, null, str(settings.length()));
      if ((Long) r.get(1) == 1) {
        room.signal();
      }
      return (Long) r.get(0);
    } finally {
      exit();
    }
  }

  @Override
  public StoreStats stats() {
    enter();
    try {
      return census.stats();
    } finally {
      exit();
    }
  }

  @Override
  public Optional<QueueHealth.Consumers> consumers() {
    enter();
    try {
      return census.consumers();
    } finally {
      exit();
    }
  }

  @Override
  public List<DeadLetter> listDead(int offset, int limit) {
    enter();
    try {
      if (limit <= 0) {
        return List.of();
      }
      List<ScoredValue<byte[]>> members = calls.get(shared.async.zrevrangeWithScores(
          RedisKeys.b(keys.dead), Math.max(0, offset), (long) Math.max(0, offset) + limit - 1),
          "listDead");
      List<DeadLetter> out = new ArrayList<>(members.size());
      for (ScoredValue<byte[]> m : members) {
        out.add(Entries.deadLetterOrMalformed(m.getValue(), (long) m.getScore()));
      }
      return out;
    } finally {
      exit();
    }
  }

  /** One ZRANGEBYSCORE per id (a dead letter's score is its id), sent together, 1,000 at a time. */
  @Override
  public List<DeadLetter> findDead(Collection<Long> ids) {
    List<Long> sorted = new ArrayList<>(new TreeSet<>(ids));
    enter();
    try {
      List<DeadLetter> out = new ArrayList<>();
      byte[] dead = RedisKeys.b(keys.dead);
      for (int from = 0; from < sorted.size(); from += 1000) {
        List<Long> chunk = sorted.subList(from, Math.min(sorted.size(), from + 1000));
        List<RedisFuture<List<byte[]>>> replies = new ArrayList<>(chunk.size());
        for (long id : chunk) {
          replies.add(shared.async.zrangebyscore(dead, Range.create(id, id)));
        }
        for (int i = 0; i < chunk.size(); i++) {
          for (byte[] m : calls.get(replies.get(i), "findDead")) {
            out.add(Entries.deadLetterOrMalformed(m, chunk.get(i)));
          }
        }
      }
      return out;
    } finally {
      exit();
    }
  }

  @Override
  public long replayDead(Collection<Long> ids) {
    return replay(ids.isEmpty() ? null : ids.stream().map(Entries::str).toArray(byte[][]::new));
  }

  @Override
  public long replayAllDead() {
    return replay(new byte[][] {str("all")});
  }

  /** Runs the replay script with {@code args} (null: nothing to replay, only the closed check). */
  private long replay(byte[][] args) {
    enter();
    try {
      long n = args == null ? 0 : calls.<Long>call(Script.REPLAY, null, args);
      if (n > 0) {
        signalWake();
      }
      return n;
    } finally {
      exit();
    }
  }

  @Override
  public long purgeDead(Collection<Long> ids) {
    return purge(ids.isEmpty() ? null : ids.stream().map(Entries::str).toArray(byte[][]::new));
  }

  @Override
  public long purgeAllDead() {
    return purge(new byte[][] {str("all")});
  }

  /** Runs the purge script with {@code args} (null: nothing to purge, only the closed check). */
  private long purge(byte[][] args) {
    enter();
    try {
      return args == null ? 0 : calls.<Long>call(Script.PURGE, null, args);
    } finally {
      exit();
    }
  }

  @Override
  public void close() {
    if (!stopLocally()) {
      return;
    }
    try {
      giveBackClaimedAhead();
      String c = lease.consumer();
      if (c != null) {
        // items still in flight at close count as a crash (LevelDB recovers them at the next
        // open the same way); the consumer leaves the registry at once instead of timing out
        try {
          lease.recoverForced(c, "closed");
        } catch (RuntimeException e) {
          log.warn("queue \"{}\": could not unregister consumer {} at close ({}); its in-flight "
              + "items are recovered after CONSUMER_TIMEOUT", name, c, e.getMessage());
        }
      }
      try {
        room.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } finally {
      ops.writeLock().unlock();
      shared.release();
    }
  }

  // ───────────────────────────── test hooks ─────────────────────────────

  /**
   * At close: a claim sent ahead that no claim took goes back to the head, counts unchanged, as
   * the caller's unclaim would have sent it; not counted as a crash by the recovery below.
   */
  private void giveBackClaimedAhead() {
    try {
      List<Delivery> ahead = claims.takeAheadAtClose();
      if (!ahead.isEmpty()) {
        giveBack(ahead);
      }
    } catch (RuntimeException e) {
      log.warn("queue \"{}\": could not give back the items claimed ahead at close ({}); they are "
          + "recovered with the consumer's other in-flight items", name, e.getMessage());
    }
  }

  /** For tests: the next claim sweeps first, as after a claim whose reply was lost. */
  void needSweep() {
    lease.needSweep();
  }

  /** The consumer id this instance claims under, or null before its first claim. */
  String consumerId() {
    return lease.consumer();
  }

  RedisKeys keys() {
    return keys;
  }

  /** For tests: this queue's {@code DURABILITY} waits. */
  DurableWrites durableWrites() {
    return calls.durable;
  }

  /** For tests: the shared client this queue writes through. */
  SharedClient sharedClient() {
    return shared;
  }

  /** Runs a beat's look at waiting items (the promoter script) now; done when it has run. */
  CompletableFuture<Void> lookNow() {
    return lease.promoter().promote(lease.consumer(), false);
  }

  /** See {@link ConsumerLease#reapNow}. */
  void reapNow(String self) {
    lease.reapNow(self);
  }

  /** Runs this instance's sweep now, as its next beat would (tests). */
  void sweepNow() {
    lease.sweep();
  }

  /**
   * Dies as a killed process would: no settle, no unregister, no more heartbeats. Then deletes
   * the heartbeat and runs the reaper, as a live consumer would after {@code CONSUMER_TIMEOUT}.
   */
  void crashAndReap() {
    if (!stopLocally()) {
      return;
    }
    try {
      String c = lease.consumer();
      if (c != null) {
        calls.get(shared.async.del(RedisKeys.b(keys.heartbeat(c))), "kill");
        // forced: a heartbeat this instance sent just before dying may land after the delete and
        // make the reaper's re-check see it alive; a dead process sends none, so force is exact
        lease.recoverForced(c, "was killed");
      }
      lease.reapNow(c);
    } finally {
      ops.writeLock().unlock();
      shared.release();
    }
  }

  // ───────────────────────────── plumbing ─────────────────────────────

  /**
   * The part of closing that stays in this process, shared by {@link #close()} and {@link
   * #crashAndReap()}: marks the instance closed, wakes blocked pushers and claimers, closes the
   * blocking connections (a claim blocked in BLPOP returns as soon as its connection closes),
   * waits for operations in progress and stops the scheduled tasks. On {@code true} the caller
   * holds the operations write lock and must release it.
   *
   * @return false when the instance was already closed (nothing done, no lock held)
   */
  private boolean stopLocally() {
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      closed = true;
      wakeCond.signalAll();
      closing.signalAll();
    } finally {
      lock.unlock();
    }
    room.close();
    waker.close();
    ops.writeLock().lock();
    try {
      lease.stop();
    } catch (RuntimeException | Error e) {
      ops.writeLock().unlock();
      throw e;
    }
    return true;
  }

  private void enter() {
    ops.readLock().lock();
    if (closed) {
      ops.readLock().unlock();
      throw new QueueClosedException(name);
    }
  }

  private void exit() {
    ops.readLock().unlock();
  }

  private void interruptCheck() {
    if (Thread.currentThread().isInterrupted()) {
      throw new QueueInterruptedException(name, new InterruptedException("interrupted on entry"));
    }
  }

  /** Items were made ready in this process: claimers waiting in process look again. */
  private void signalWake() {
    lock.lock();
    try {
      wakeCond.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void awaitLocal(Condition c, long nanos) {
    lock.lock();
    try {
      if (!closed && nanos > 0) {
        c.awaitNanos(nanos);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueInterruptedException(name, e);
    } finally {
      lock.unlock();
    }
  }
}
