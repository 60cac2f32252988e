package io.queuekit.redis;

import static io.queuekit.redis.Entries.str;
import static io.queuekit.redis.Entries.utf8;

import io.lettuce.core.SetArgs;
import io.queuekit.QueueInterruptedException;
import io.queuekit.QueueSettings;
import io.queuekit.redis.Scripts.Script;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.StampedLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer lease of a {@link RedisQueue}: registers the instance's consumer id, beats, sweeps
 * orphaned in-flight entries, reaps dead consumers and recovers their items (docs/DESIGN.md §3.6).
 *
 * <p>Each instance claims under a random consumer id (registered on its first claim) and ticks in
 * its process's {@link BeatGroup} (every {@code CONSUMER_TIMEOUT}/3). It is <em>busy</em> from a
 * claim that took items (the claim script adds it to {@code T:busy} and sets its heartbeat to
 * {@code CONSUMER_TIMEOUT}) until a beat finds it holding nothing and the rest script, which
 * checks its in-flight hash is empty, takes it out and sets the idle heartbeat (three {@code
 * CONSUMER_TIMEOUT}s). A busy instance beats every tick, an idle one every idle period ({@link
 * #idleBeatMs}). A beat sends two commands together: {@code SET T:heartbeat:<id> <px> XX PX
 * <px>} (the value is its PX, for health; the key exists only while the consumer is registered;
 * when it is missing the heartbeat script tells a lapse from a reap) and one {@code EXISTS} over
 * {@code T:ready}, {@code T:delayed}, its in-flight hash while it holds no delivery, and the
 * heartbeat of every other consumer its last registry read found (weighted by repetition, so the
 * one count says which held anything). So an idle instance runs no script. Every tick while it
 * is busy, or while the group's {@code EXISTS} over the busy sets was not zero, it also reads
 * {@code T:busy} and reaps those of its members whose heartbeat is gone. When the beat's answer
 * says so, it also:
 * <ul>
 *   <li>reaps: for each known consumer whose heartbeat is gone, the recovery script (which
 *       re-checks it) returns its in-flight items to the head with recovery count + 1: for a busy
 *       consumer from {@code CONSUMER_TIMEOUT} to one tick more after its last heartbeat (it is in
 *       {@code T:busy}), for an idle one (holding nothing) at the next registry read. The
 *       registry ({@code HKEYS T:consumers}) is read at registration (reaping at once what is
 *       dead, so a process restarting after a crash gets its old items back before its first
 *       claim) and again, jittered, every 0.5 to 1 × {@code CONSUMER_TIMEOUT} while busy, two
 *       idle periods while idle;
 *   <li>sweeps: while it holds deliveries, or when its in-flight hash holds entries while it holds
 *       none, it hands back to the head (counts unchanged) every entry in flight under its id that
 *       no delivery it holds names: a claim whose reply was lost. The claim loop sweeps too, before
 *       claiming, after a claim that failed on the client side or a beat's sweep that a running
 *       claim held off;
 *   <li>runs the {@link Promoter} when items wait.
 * </ul>
 * A consumer that finds itself reaped (its heartbeat answers fenced) forgets what it held and
 * registers again. Closing with items still in flight counts as a crash for them (recovery count
 * + 1, as LevelDB does at the next open) and unregisters at once.
 *
 * <p><b>Thread-safety:</b> safe for any number of threads; claims hold {@link #claimLock()}
 * shared, a sweep holds it exclusively (a claim's entries are in flight before its reply names
 * them). <b>Ordering:</b> recovered and swept items go to the head. <b>Durability:</b> the
 * registry, heartbeats and in-flight hashes live in Redis; what this instance holds is in memory.
 */
final class ConsumerLease implements BeatGroup.Member {
  private static final Logger log = LoggerFactory.getLogger(RedisQueue.class);

  private final String name;
  private final RedisCalls calls;
  private final SharedClient shared;
  private final RedisKeys keys;
  private final QueueSettings settings;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final long ttlMs;
  private final String display;
  private final BooleanSupplier closed;
  private final Runnable signalWake;
  private final Promoter promoter;

  /** Registered consumer id; null until the first claim and after being fenced. */
  private volatile String consumer;
  private final Object registration = new Object();
  /** "simple" or "unique", as meta records it. */
  private final String flavour;
  /** What this instance holds: claimed, not yet settled. */
  private final HeldDeliveries held = new HeldDeliveries();
  /** Claims hold it shared; the sweep of orphaned entries holds it exclusively. */
  private final StampedLock sweepLock = new StampedLock();
  private volatile boolean sweepNeeded;
  /**
   * When a beat last looked for ready items and left a wake token if there were (System.nanoTime):
   * as good as a claim for the claim loop's check on lost tokens.
   */
  private volatile long lastReadyCheckNanos = System.nanoTime();
  /** The registered consumers as the last registry read found them; the beat checks the others. */
  private volatile List<String> others = List.of();
  private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
  /** The process's beat this lease ticks in; null until registered and after stop. */
  private BeatGroup group;
  /**
   * A claim took items under the current id since the beat last found it resting (T:busy holds
   * it, its heartbeat is CONSUMER_TIMEOUT): the beat rests it once it holds nothing.
   */
  private volatile boolean busyMarked;
  /** When the next idle beat is due (System.nanoTime). */
  private volatile long nextIdleBeatNanos = System.nanoTime();
  /** Reports what the beat, the reaper and the promoter could not do. */
  private final BackgroundFailures failures;
  private static final String SWEEP_TASK = "the sweep of entries in flight that no delivery holds";

  /**
   * @param display "host pid", registered beside the id
   * @param unique the queue's flavour, recorded again at registration if meta lost it
   * @param signalWake wakes the claimers of this process (items went back to the head)
   */
  ConsumerLease(String name, RedisCalls calls, SharedClient shared, RedisKeys keys,
      QueueSettings settings, Clock clock, ScheduledExecutorService scheduler, long ttlMs,
      String display, boolean unique, BooleanSupplier closed, Runnable signalWake) {
    this.name = name;
    this.flavour = unique ? "unique" : "simple";
    this.calls = calls;
    this.shared = shared;
    this.keys = keys;
    this.settings = settings;
    this.clock = clock;
    this.scheduler = scheduler;
    this.ttlMs = ttlMs;
    this.display = display;
    this.closed = closed;
    this.signalWake = signalWake;
    this.failures = new BackgroundFailures("queue \"" + name + "\"");
    this.promoter = new Promoter(name, calls, keys, clock, scheduler, ttlMs,
        settings.globalMaxWorkers(), failures, this::consumer,
        closed, () -> lastReadyCheckNanos = System.nanoTime());
  }

  String consumer() {
    return consumer;
  }

  Promoter promoter() {
    return promoter;
  }

  @Override
  public long beatMs() {
    return Math.max(100, ttlMs / 3);
  }

  /**
   * The beat period while idle (holding nothing): twice CONSUMER_TIMEOUT. An idle consumer holds
   * nothing to recover, so nobody need watch it closely; the claim that takes items sets its
   * heartbeat back to CONSUMER_TIMEOUT in the same script.
   */
  long idleBeatMs() {
    return 2 * ttlMs;
  }

  /** The heartbeat's PX while idle: one CONSUMER_TIMEOUT after a missed idle beat. */
  private long idleTtlMs() {
    return idleBeatMs() + ttlMs;
  }

  long ttlMs() {
    return ttlMs;
  }

  /** How often a beat looks at the ready list: every tick while busy, else every idle beat. */
  long lookMs() {
    return busy() ? beatMs() : idleBeatMs();
  }

  @Override
  public boolean busy() {
    String c = consumer;
    return busyMarked || sweepNeeded || (c != null && heldBy(c) > 0);
  }

  @Override
  public byte[] busyKey() {
    return RedisKeys.b(keys.busy);
  }

  long lastReadyCheckNanos() {
    return lastReadyCheckNanos;
  }

  boolean sweepNeeded() {
    return sweepNeeded;
  }

  /** A claim may have run with its reply lost (or a sweep failed): sweep before the next claim. */
  void needSweep() {
    sweepNeeded = true;
    // the lost claim may have marked it busy in Redis: the beat rests it once the sweep is done
    busyMarked = true;
  }

  /** Claims hold it shared (see the class doc). */
  StampedLock claimLock() {
    return sweepLock;
  }

  /** The consumer id delivery {@code did} was claimed under, or null when not held. */
  String holder(long did) {
    return held.holder(did);
  }

  /**
   * Holds one claim's {@code n} deliveries, {@code first} onwards, under {@code c}; {@code pack},
   * a claim of one pack taken as it is.
   */
  void holdClaim(long first, int n, String c, boolean pack) {
    held.holdClaim(first, n, c, pack);
    busyMarked = true;
  }

  /** Stops holding {@code dids} ({@link HeldDeliveries#forget(long[])}). */
  void forget(long... dids) {
    held.forget(dids);
  }

  /** The claim that holds delivery {@code did}, or null when it is not held. */
  HeldDeliveries.Range claimOf(long did) {
    return held.claimOf(did);
  }

  /** How many deliveries this instance holds under consumer id {@code c}. */
  int heldBy(String c) {
    return held.heldBy(c);
  }

  void ensureRegistered() {
    if (consumer != null) {
      return;
    }
    synchronized (registration) {
      if (consumer != null) {
        return;
      }
      String id = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
      calls.<Long>call(Script.REGISTER, id, str(id), str(display), str(ttlMs),
          str(RedisLayout.LAYOUT_VERSION), str(flavour));
      boolean first;
      synchronized (tasks) {
        first = tasks.isEmpty();
      }
      // reap once right away: a process restarting after a crash gets its old items back before
      // its first claim instead of one CONSUMER_TIMEOUT later
      reapNow(id);
      consumer = id;
      log.debug("queue \"{}\": registered consumer {} ({}) at {}", name, id, display,
          calls.where());
      if (first) {
        startTasks();
      }
    }
  }

  private void startTasks() {
    synchronized (tasks) {
      promoter.nextBeatAt(clock.millis() + beatMs());
      // the first idle beat one tick from now: it sets the idle heartbeat
      nextIdleBeatNanos = System.nanoTime();
      group = BeatGroup.join(shared, scheduler, this);
      scheduleReaper(true);
    }
  }

  /** Stops the beat, the reaper and the promoter's planned runs. */
  void stop() {
    synchronized (tasks) {
      for (ScheduledFuture<?> t : tasks) {
        t.cancel(false);
      }
      tasks.clear();
      if (group != null) {
        group.leave(this);
        group = null;
      }
    }
    promoter.stop();
  }

  /**
   * One tick of the process's {@link BeatGroup}: a busy lease beats every tick; an idle one once
   * per idle period. Either watches the busy consumers of its queue while there are any, so a
   * busy consumer that dies is reaped within one tick after its heartbeat lapses.
   */
  @Override
  public void tick(boolean othersBusy) {
    String c = consumer;
    if (closed.getAsBoolean() || c == null) {
      return;
    }
    boolean busy = busy();
    long now = System.nanoTime();
    if (busy || now - nextIdleBeatNanos >= 0) {
      if (beat(c, busy)) {
        nextIdleBeatNanos = now + TimeUnit.MILLISECONDS.toNanos(idleBeatMs());
      }
    }
    if (busy || othersBusy) {
      watchBusy(c);
    }
  }

  /**
   * Reads the queue's busy set and reaps each consumer in it whose heartbeat is gone (the
   * recovery script re-checks it). Only busy consumers hold items to recover.
   */
  private void watchBusy(String c) {
    shared.async.smembers(RedisKeys.b(keys.busy)).toCompletableFuture().thenAccept(ids -> {
      List<String> others = new ArrayList<>(ids.size());
      for (byte[] raw : ids) {
        String id = utf8(raw);
        if (!id.equals(c)) {
          others.add(id);
        }
      }
      if (!others.isEmpty() && !closed.getAsBoolean()) {
        reap(others, false);
      }
    }).whenComplete((v, e) -> {
      if (e != null) {
        failures.failed("the reaper's look at the busy set", e);
      }
    });
  }

  /**
   * The beat, once per heartbeat period on the manager's scheduler (so async commands only): all
   * of an idle instance's bookkeeping, in two plain commands sent together.
   * <ol>
   *   <li>{@code SET heartbeat 1 XX PX CONSUMER_TIMEOUT} renews the heartbeat. The key exists only
   *       while its consumer is registered (registration and recovery set or delete both in one
   *       script), so OK means alive; no key (expired, or reaped) runs the heartbeat script, which
   *       tells the two apart and answers fenced when reaped.
   *   <li>One {@code EXISTS} over the ready list and the delayed set (each named W times), this
   *       consumer's in-flight hash while it holds no delivery (named 3W times), and the heartbeat
   *       key of every other consumer the last registry read found (once each), W being one more
   *       than those. {@code EXISTS} counts a key once per mention, so the answer mod W is the
   *       others alive and the answer / W tells which of the queue's own keys hold anything.
   * </ol>
   * An idle queue (nothing waiting, nothing held, no consumer gone) stops there. Items waiting run
   * the promoter script (a wake token for ready items when tokens are short, the lease and a wake
   * once the earliest delayed item is due); deliveries held, or an in-flight hash while none is
   * held, run the sweep; another consumer's heartbeat gone runs the reaper for it.
   */
  private boolean beat(String c, boolean busy) {
    boolean holds = heldBy(c) > 0;
    promoter.nextBeatAt(clock.millis() + (busy ? beatMs() : idleBeatMs()));
    List<String> known = new ArrayList<>(others);
    known.remove(c);
    int w = known.size() + 1;
    byte[][] k = new byte[(holds ? 2 : 5) * w + known.size()][];
    int i = 0;
    byte[] ready = RedisKeys.b(keys.ready);
    byte[] delayed = RedisKeys.b(keys.delayed);
    for (int j = 0; j < w; j++) {
      k[i++] = ready;
      k[i++] = delayed;
    }
    if (!holds) {
      byte[] inflight = RedisKeys.b(keys.inflight(c));
      for (int j = 0; j < 3 * w; j++) {
        k[i++] = inflight;
      }
    }
    for (String other : known) {
      k[i++] = RedisKeys.b(keys.heartbeat(other));
    }
    CompletableFuture<Long> alive;
    CompletableFuture<Long> found;
    long stamp = 0;
    try {
      if (holds) {
        alive = renew(c, ttlMs);
      } else if (busyMarked) {
        // it held items since it last rested: rest it, in one script with the check that
        // nothing is in flight under it (atomic with the claims, which mark it busy again)
        alive = calls.<Long>run(Script.REST, c, str(c), str(idleTtlMs())).toCompletableFuture()
            .thenApply(r -> {
              if (r == 1) {
                busyMarked = false;
              }
              return r == -1 ? -1L : 1L;
            });
      } else {
        // the long idle heartbeat must not land after a claim that set it back to
        // CONSUMER_TIMEOUT: renew it only while no claim runs (claims hold the lock shared)
        stamp = sweepLock.tryWriteLock();
        if (stamp == 0) {
          return false;
        }
        long held = stamp;
        alive = renew(c, idleTtlMs()).whenComplete((r, e) -> sweepLock.unlockWrite(held));
        stamp = 0;
      }
      found = shared.async.exists(k).toCompletableFuture();
    } catch (RuntimeException e) {
      if (stamp != 0) {
        sweepLock.unlockWrite(stamp);
      }
      failures.failed("the beat of consumer " + c, e);
      return false;
    }
    alive.thenCompose(a -> {
      if (a == -1) {
        // not on Lettuce's event loop: fenced() may wait for a registration that waits for a
        // reply this very thread would deliver
        try {
          scheduler.execute(() -> fenced(c));
        } catch (RejectedExecutionException closing) {
          // the manager is shutting down: nothing left to fence
        }
        return CompletableFuture.<Void>completedFuture(null);
      }
      return found.thenAccept(n -> look(c, n, w, holds, known));
    }).whenComplete((v, e) -> {
      if (e != null) {
        failures.failed("the beat of consumer " + c, e);
      }
    });
    return true;
  }

  /**
   * {@code SET heartbeat <px> XX PX <px>} (the value is the PX, for health's age of the last
   * beat); no key (expired, or reaped) runs the heartbeat script, which answers -1 when reaped.
   */
  private CompletableFuture<Long> renew(String c, long px) {
    return shared.async.set(RedisKeys.b(keys.heartbeat(c)), str(px), SetArgs.Builder.xx().px(px))
        .toCompletableFuture()
        .thenCompose(ok -> ok != null ? CompletableFuture.completedFuture(1L)
            : calls.<Long>run(Script.HEARTBEAT, c, str(c), str(px)).toCompletableFuture());
  }

  /** What the beat's {@code EXISTS} answered ({@code n}), for consumer {@code c}. */
  private void look(String c, long n, int w, boolean holds, List<String> known) {
    if (closed.getAsBoolean() || !c.equals(consumer)) {
      return;
    }
    long own = n / w;
    // ready and delayed count 1 each, the in-flight hash 3
    boolean waiting = own % 3 > 0;
    boolean stray = own >= 3;
    if (waiting) {
      promoter.promote(c, false);
    } else {
      lastReadyCheckNanos = System.nanoTime();
    }
    if (holds || stray) {
      sweepAsync();
    }
    if (n % w < known.size()) {
      reap(known, true);
    }
  }

  /**
   * Another consumer found our heartbeat gone and recovered our items: whatever we hold is
   * someone else's now (settling it must be STALE), and we register again under a new id.
   */
  void fenced(String c) {
    synchronized (registration) {
      if (!c.equals(consumer)) {
        return;
      }
      int dropped = held.dropAll(c);
      consumer = null;
      // the new id starts idle; the recovery that fenced us took the old one out of T:busy
      busyMarked = false;
      promoter.fenced();
      log.warn("queue \"{}\": consumer {} was presumed dead (no heartbeat for {} ms) and its items "
          + "recovered elsewhere; dropping {} held deliveries (their acks will be stale) and "
          + "registering again", name, c, ttlMs, dropped);
    }
  }

  /**
   * Hands back orphaned in-flight entries, blocking claims meanwhile (claim loop thread).
   *
   * @throws RedisCalls.Unavailable when Redis cannot be reached
   */
  void sweep() {
    long stamp = sweepLock.writeLock();
    try {
      String c = consumer;
      if (c == null) {
        return;
      }
      List<Object> r = calls.attempt(Script.SWEEP, c, sweepArgs(c));
      calls.report(r, 1);
      swept(c, (Long) r.get(0));
    } finally {
      sweepLock.unlockWrite(stamp);
    }
  }

  /**
   * The once-per-heartbeat sweep. A claim running holds it off (a claim's entries are in flight
   * before its reply names them): then the claim loop sweeps before its next claim.
   */
  private void sweepAsync() {
    long stamp = sweepLock.tryWriteLock();
    if (stamp == 0) {
      sweepNeeded = true;
      return;
    }
    String c = consumer;
    if (c == null || closed.getAsBoolean()) {
      sweepLock.unlockWrite(stamp);
      return;
    }
    CompletionStage<Long> f;
    try {
      f = calls.<List<Object>>run(Script.SWEEP, c, sweepArgs(c)).thenApply(r -> {
        calls.report(r, 1);
        return (Long) r.get(0);
      });
    } catch (RuntimeException e) {
      sweepLock.unlockWrite(stamp);
      sweepFailed(c, e);
      return;
    }
    f.whenComplete((n, e) -> {
      sweepLock.unlockWrite(stamp);
      if (e != null) {
        sweepFailed(c, e);
        return;
      }
      swept(c, n);
    });
  }

  /** A sweep of {@code c}'s orphans answered, having returned {@code n} entries to the head. */
  private void swept(String c, long n) {
    failures.succeeded(SWEEP_TASK);
    sweepNeeded = false;
    if (n > 0) {
      log.info("queue \"{}\": returned {} in-flight entries of consumer {} that no delivery holds "
          + "(a claim whose reply was lost) to the head", name, n, c);
      signalWake.run();
    }
  }

  /**
   * The next beat sweeps again: what made this one run (deliveries held, or entries in flight
   * beyond them) still holds. Reported, since nothing else would tell of it.
   */
  private void sweepFailed(String c, Throwable e) {
    failures.failed(SWEEP_TASK, e, "consumer " + c + "'s next beat sweeps again");
  }

  /** The sweep's arguments: now, the dead-letter cap, then the delivery ids held under {@code c}. */
  private byte[][] sweepArgs(String c) {
    List<Long> ids = held.idsOf(c);
    byte[][] args = new byte[ids.size() + 2][];
    args[0] = str(clock.millis());
    args[1] = str(settings.deadLetterLength());
    for (int i = 0; i < ids.size(); i++) {
      args[2 + i] = str(ids.get(i).longValue());
    }
    return args;
  }

  /**
   * Schedules the next read of the consumer registry, jittered within [0.5, 1] × its period
   * (CONSUMER_TIMEOUT while busy, two idle periods while idle) so the consumers of a queue do
   * not all read at once. The beats check the
   * heartbeats of the consumers it found; one registered since is checked from the read after.
   */
  private void scheduleReaper(boolean first) {
    if (closed.getAsBoolean()) {
      return;
    }
    // while idle the registry is read once per two idle periods: it only finds idle consumers
    // gone (holding nothing); busy ones are watched through T:busy every tick
    long period = busy() ? ttlMs : 2 * idleBeatMs();
    // the first read anywhere within a period (registration just read the registry), so the
    // reads of queues opened together spread out at once
    double r = ThreadLocalRandom.current().nextDouble();
    long delay = (long) (period * (first ? r : 0.5 + 0.5 * r));
    synchronized (tasks) {
      tasks.removeIf(ScheduledFuture::isDone);
      try {
        tasks.add(scheduler.schedule(this::reaper, delay, TimeUnit.MILLISECONDS));
      } catch (RejectedExecutionException shuttingDown) {
        // the manager is closing: no more runs
      }
    }
  }

  /** The reaper's registry read, on the scheduler: async commands only. */
  private void reaper() {
    if (closed.getAsBoolean()) {
      return;
    }
    readRegistry().whenComplete((v, e) -> {
      if (e != null) {
        failures.failed("the reaper's read of the consumer registry", e);
      }
      scheduleReaper(false);
    });
  }

  private CompletableFuture<Void> readRegistry() {
    return shared.async.hkeys(RedisKeys.b(keys.consumers)).toCompletableFuture().thenAccept(ids -> {
      List<String> found = new ArrayList<>(ids.size());
      for (byte[] raw : ids) {
        found.add(utf8(raw));
      }
      others = List.copyOf(found);
    });
  }

  /**
   * A beat found a heartbeat among {@code known} gone: runs the recovery script for each consumer
   * whose heartbeat is gone (the script re-checks it), then reads the registry again.
   */
  private void reap(List<String> known, boolean readAfter) {
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (String other : known) {
      chain = chain.thenCompose(x -> shared.async.exists(
              RedisKeys.b(keys.heartbeat(other))).toCompletableFuture())
          .thenCompose(n -> n != null && n == 1 ? CompletableFuture.<Void>completedFuture(null)
              : recover(other).toCompletableFuture().thenApply(r -> (Void) null));
    }
    chain.thenCompose(x -> readAfter ? readRegistry() : CompletableFuture.<Void>completedFuture(null))
        .whenComplete((v, e) -> {
      if (e != null) {
        failures.failed("the reaper", e);
      } else {
        failures.succeeded("the reaper");
      }
    });
  }

  /**
   * Reaps synchronously (at registration and from tests) every registered consumer but {@code
   * self} whose heartbeat is gone; the beats check the others from then on.
   */
  void reapNow(String self) {
    List<byte[]> all = calls.get(shared.async.hkeys(RedisKeys.b(keys.consumers)), "reap");
    List<String> alive = new ArrayList<>(all.size());
    for (byte[] raw : all) {
      String other = utf8(raw);
      if (other.equals(self)) {
        continue;
      }
      long exists = calls.get(shared.async.exists(RedisKeys.b(keys.heartbeat(other))), "reap");
      if (exists == 1) {
        alive.add(other);
        continue;
      }
      try {
        recover(other).toCompletableFuture().get(shared.commandTimeout.toMillis(),
            TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new QueueInterruptedException(name, e);
      } catch (ExecutionException | TimeoutException e) {
        throw calls.unavailable("recover", SharedClient.unwrap(e));
      }
    }
    others = List.copyOf(alive);
  }

  private CompletionStage<List<Object>> recover(String other) {
    return calls.<List<Object>>run(Script.RECOVER, other, str(other),
        str(settings.maxRecoveries()), str(clock.millis()), str(settings.deadLetterLength()),
        str("0")).thenApply(r -> {
          logRecovered(other, "stopped heart-beating", r);
          return r;
        });
  }

  /**
   * Recovers every item in flight under {@code c} at once, whatever its heartbeat says, and
   * unregisters it: at close (items in flight count as a crash) and for a test's kill.
   */
  void recoverForced(String c, String why) {
    List<Object> r = calls.call(Script.RECOVER, c, str(c), str(settings.maxRecoveries()),
        str(clock.millis()), str(settings.deadLetterLength()), str("1"));
    logRecovered(c, why, r);
  }

  private void logRecovered(String c, String why, List<Object> r) {
    if ((Long) r.get(0) == -1 && r.size() == 1) {
      return;
    }
    long recovered = (Long) r.get(0);
    long dead = (Long) r.get(1);
    if (recovered > 0 || dead > 0) {
      log.info("queue \"{}\": consumer {} {}; {} in-flight items went back to the head (recovery "
          + "count + 1), {} dead-lettered as suspected poison", name, c, why, recovered, dead);
    }
    calls.report(r, 2);
  }
}
