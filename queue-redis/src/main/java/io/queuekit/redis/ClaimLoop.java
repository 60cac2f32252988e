package io.queuekit.redis;

import static io.queuekit.redis.Entries.str;

import io.queuekit.QueueException;
import io.queuekit.QueueInterruptedException;
import io.queuekit.QueueSettings;
import io.queuekit.QueueUnavailableException;
import io.queuekit.redis.RedisCalls.Unavailable;
import io.queuekit.redis.Scripts.Script;
import io.queuekit.spi.Delivery;
import java.time.Clock;
import java.time.Duration;
import io.queuekit.internal.Previews;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.StampedLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * The claim loop of a {@link RedisQueue}: registers through the {@link ConsumerLease}, sweeps
 * when a sweep is pending, runs the claim script, and when it found nothing waits for a wake
 * token ({@link WakeWaiter}) bounded by the earliest due time the script returned, then claims
 * again, until the wait is over (docs/DESIGN.md §3.2, §3.7).
 *
 * <p>A claim whose wait ran out with no token, nothing having fallen due, blocks again without
 * claiming first (see {@link #canSkipClaim}); it claims first anyway when it must not wait, while
 * unregistered or a sweep is pending, once the earliest due time it knew has come (by the queue
 * clock), and when neither a claim nor a beat looked for ready items for two beat periods.
 * While Redis is unreachable the loop backs off ({@link RedisCalls#outage}) and returns empty
 * when the wait is over; an outage is never reported as an empty queue by a claim that did run.
 * With {@code GLOBAL_MAX_WORKERS} on, a claim the script refused at the cap waits for a wake
 * token like one that found nothing, with no due time: the settle that frees a lease leaves one
 * (docs/DESIGN.md §3.12). So does the next claim after one that took the cap's last slot, before
 * it asks the store: asked at once, the store could only refuse it; and the next claim after one
 * that woke waiters for the slots it left free, which would otherwise race them for those slots.
 * A claim that took the whole ready list also makes the next one wait for a token first (bounded
 * by the earliest due time): asked at once it would find nothing, and every push since leaves a
 * token, so a trickle of items costs one claim script per item, not two; that wait sends the
 * claim behind a short {@code BLPOP} ({@link #claimBehindWake}), so it runs as the token comes.
 *
 * <p>A claim of one pack taken as it is answers with the pack's reference and the reference next
 * at the head, if any. The next claim sends the {@code HGET} of that next pack with its script
 * (a pack's bytes never change while its id exists, so reading it before the claim is as good as
 * after): when the claim takes that pack, its entries are in hand when the claim's reply is, one
 * wait for two replies sent together instead of two round trips in turn, which bounded the claim
 * thread. Another consumer may take it first; then the read was wasted and the pack claimed is
 * read as before, and the claim after a miss reads nothing ahead, so consumers racing for the same
 * packs waste at most every other read. When the pool hints its next claim ({@link #claimAhead}),
 * that claim's script goes out at once, with the read ahead before it, and the next call takes its
 * reply: two claims on their way at a time rather than one after the other.
 *
 * <p><b>Thread-safety:</b> safe for any number of threads. <b>Ordering:</b> the claim script takes
 * items from the head. <b>Durability:</b> claimed items are in flight in Redis under the consumer
 * id before the reply names them; a lost reply is swept back to the head.
 */
final class ClaimLoop {
  private final String name;
  private final QueueSettings settings;
  private final Clock clock;
  private final Duration blockTimeout;
  private final RedisCalls calls;
  private final ConsumerLease lease;
  private final WakeWaiter waker;
  private final RoomWatcher room;
  private final BooleanSupplier closed;
  private final LongConsumer awaitLocal;

  /** {@link #idle}: the last claim did not end idle. */
  private static final long IDLE_NONE = Long.MIN_VALUE;
  /** {@link #idle}: the last claim ended idle and saw no delayed item. */
  private static final long IDLE_NO_DUE = Long.MAX_VALUE;
  /**
   * How the last claim of this instance ended: {@link #IDLE_NONE}, or idle (found nothing, then
   * its blocking wait ran out with no token) knowing the earliest due time (ms) or {@link
   * #IDLE_NO_DUE}. The next claim takes it.
   */
  private final AtomicLong idle = new AtomicLong(IDLE_NONE);
  /**
   * The next claim waits for a wake token first: the last one took the whole ready list, or
   * ({@code GLOBAL_MAX_WORKERS}) took the cap's last slot, was refused at the cap, or woke
   * waiters for the slots it left free.
   */
  private volatile boolean waitFirst;
  /** With {@link #waitFirst}: the earliest due time (ms) that bounds that wait, or -1. */
  private volatile long waitDue = -1;
  /** When the claim script last answered (System.nanoTime). */
  private volatile long lastClaimNanos = System.nanoTime();
  /**
   * The last claim took the whole ready list (items trickle in): the next wait sends its claim
   * behind a short {@code BLPOP} ({@link #claimBehindWake}). Never on Cluster or with {@code
   * GLOBAL_MAX_WORKERS}.
   */
  private volatile boolean trickle;
  /** Claims may ride behind the wake waiter's {@code BLPOP}: see {@link #trickle}. */
  private final boolean claimsBehindWake;
  /** {@link #claimBehindWake}: the consumer was fenced; claim again at once. */
  private static final ClaimResult CLAIM_AGAIN = new ClaimResult(List.of(), -1);

  /** The max of this instance's last claim (0: none yet): the size of its batches. */
  private volatile int lastMax;
  /** The id of the pack the last claim saw next at the head: read ahead with the next claim. */
  private final AtomicReference<String> ahead = new AtomicReference<>();
  /** The last read ahead was of a pack the claim did not take: the next claim reads none. */
  private volatile boolean aheadMissed;
  /** The claim sent ahead of the next call, if any ({@link #claimAhead}). */
  private final AtomicReference<Ahead> claimedAhead = new AtomicReference<>();

  /**
   * @param awaitLocal waits in process up to the given nanoseconds for a local wake
   * @param claimsBehindWake whether a claim may be pipelined behind a {@code BLPOP} on the wake
   *     waiter's connection (not on Cluster, where each command is routed on its own)
   */
  ClaimLoop(String name, QueueSettings settings, Clock clock, Duration blockTimeout,
      RedisCalls calls, ConsumerLease lease, WakeWaiter waker, RoomWatcher room,
      BooleanSupplier closed, LongConsumer awaitLocal, boolean claimsBehindWake) {
    this.name = name;
    this.claimsBehindWake = claimsBehindWake && settings.globalMaxWorkers() == 0;
    this.settings = settings;
    this.clock = clock;
    this.blockTimeout = blockTimeout;
    this.calls = calls;
    this.lease = lease;
    this.waker = waker;
    this.room = room;
    this.closed = closed;
    this.awaitLocal = awaitLocal;
  }

  /** The claim loop of {@link RedisQueue#claim}: the caller has checked interrupt and entered. */
  List<Delivery> claim(int max, Duration wait) {
    lastMax = max;
    long deadline = System.nanoTime() + wait.toNanos();
    // the last claim of this instance ended idle: it found nothing and then waited out a
    // blocking timeout with no token. Nothing was made ready since without leaving a token, so
    // block again at once, without claiming first (one command per wait on an idle queue)
    long idleDue = idle.getAndSet(IDLE_NONE);
    if (waitFirst) {
      // the cap's slots were all held at the last claim (one freed since left a wake token), it
      // woke waiters for the free ones, or it took the whole ready list (a push since left a
      // token): a token says when to ask
      waitFirst = false;
      if (idleDue == IDLE_NONE) {
        idleDue = waitDue < 0 ? IDLE_NO_DUE : waitDue;
      }
    }
    // a claim that must not wait always asks the store
    boolean skipClaim = claimedAhead.get() == null && idleDue != IDLE_NONE && wait.toNanos() > 0
        && canSkipClaim(idleDue);
    while (true) {
      if (closed.getAsBoolean()) {
        return List.of();
      }
      long earliestDue;
      try {
        if (skipClaim) {
          skipClaim = false;
          earliestDue = idleDue == IDLE_NO_DUE ? -1 : idleDue;
        } else {
          // a claim sent ahead is taken first: it holds off the sweep until then
          ClaimResult r = takeAhead();
          if (r == null) {
            lease.ensureRegistered();
            if (lease.sweepNeeded()) {
              lease.sweep();
            }
            r = claimOnce(Math.max(1, max));
          }
          calls.outage.ended();
          if (!r.deliveries.isEmpty()) {
            return r.deliveries;
          }
          earliestDue = r.earliestDue;
        }
      } catch (Unavailable | QueueUnavailableException e) {
        // registration and sweep report outages as QueueUnavailableException: same handling
        if (e instanceof QueueUnavailableException) {
          lease.needSweep();
        }
        calls.outage.started(e.getCause() != null ? e.getCause() : e);
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return List.of();
        }
        long pause = Math.min(TimeUnit.MILLISECONDS.toNanos(calls.outage.next()), remaining);
        awaitLocal.accept(pause);
        continue;
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        return List.of();
      }
      long block = Math.min(remaining, blockTimeout.toNanos());
      if (earliestDue >= 0) {
        long dueIn = TimeUnit.MILLISECONDS.toNanos(Math.max(1, earliestDue - clock.millis()));
        block = Math.min(block, dueIn);
      }
      try {
        ClaimResult behind = trickle ? claimBehindWake(Math.max(1, max), block) : null;
        if (behind == CLAIM_AGAIN) {
          continue;
        }
        if (behind != null) {
          calls.outage.ended();
          if (!behind.deliveries.isEmpty()) {
            return behind.deliveries;
          }
          // it ran once the BLPOP took a token or timed out, and found nothing: whatever is made
          // ready after it leaves a token, so the next wait needs no claim first
          idleDue = behind.earliestDue < 0 ? IDLE_NO_DUE : behind.earliestDue;
          if (deadline - System.nanoTime() <= 0) {
            idle.set(idleDue);
            return List.of();
          }
          skipClaim = canSkipClaim(idleDue);
          continue;
        }
        boolean woken = waker.await(block);
        if (!woken && deadline - System.nanoTime() <= 0 && block < dueInNanos(earliestDue)) {
          // the wait ran out with no token and nothing fell due: the next claim may block
          // again without claiming first
          idle.set(earliestDue < 0 ? IDLE_NO_DUE : earliestDue);
          return List.of();
        }
        if (!woken && dueInNanos(earliestDue) > 0) {
          // no token and nothing due yet: block again, without claiming first
          idleDue = earliestDue < 0 ? IDLE_NO_DUE : earliestDue;
          skipClaim = canSkipClaim(idleDue);
        }
      } catch (Unavailable | QueueUnavailableException e) {
        // a claim behind the wake that took a pack reads it after: an outage there too (the
        // claim, held by no delivery, is the sweep's: accept asked for one)
        calls.outage.started(e.getCause() != null ? e.getCause() : e);
        awaitLocal.accept(Math.min(TimeUnit.MILLISECONDS.toNanos(calls.outage.next()),
            Math.max(0, deadline - System.nanoTime())));
      }
    }
  }

  /**
   * Whether a claim may block without claiming first after an idle wait that knew {@code
   * idleDue} (the earliest due time then, or {@link #IDLE_NO_DUE}): still registered under the
   * same id, no sweep pending, that due time not reached (by the queue clock, which tests move by
   * hand), and ready items were looked for lately: every beat does (every tick while busy, once
   * per idle period while idle) and leaves a wake token when it finds some, so an item made ready
   * without a token (a token lost with a closed connection) waits at most one such period. While
   * beats fail, the claim loop claims itself once per two periods.
   */
  private boolean canSkipClaim(long idleDue) {
    if (lease.consumer() == null || lease.sweepNeeded()) {
      return false;
    }
    if (idleDue != IDLE_NO_DUE && idleDue <= clock.millis()) {
      return false;
    }
    long claimed = lastClaimNanos;
    long checked = lease.lastReadyCheckNanos();
    long looked = claimed - checked > 0 ? claimed : checked;
    return System.nanoTime() - looked < TimeUnit.MILLISECONDS.toNanos(2 * lease.lookMs());
  }

  private long dueInNanos(long earliestDue) {
    if (earliestDue < 0) {
      return Long.MAX_VALUE;
    }
    return TimeUnit.MILLISECONDS.toNanos(earliestDue - clock.millis());
  }

  /** The max this instance's claims ask for lately, or 0 before its first claim. */
  int lastMax() {
    return lastMax;
  }

  private record ClaimResult(List<Delivery> deliveries, long earliestDue) {}

  /** The {@code HGET} of pack {@code id}, sent ahead of the claim expected to take it. */
  private record ReadAhead(String id, io.lettuce.core.RedisFuture<byte[]> read) {}

  /**
   * A claim sent ahead ({@link #claimAhead}) for consumer {@code consumer}, with the read ahead
   * sent before it, if any. It holds a read stamp of the claim lock until the next claim takes its
   * reply, so no sweep hands back what it put in flight before this process holds it.
   */
  private record Ahead(String consumer, ReadAhead pre, CompletableFuture<List<Object>> reply,
      long stamp) {}

  /**
   * The caller's next claim asks for {@code max} and it has room for them ({@link
   * io.queuekit.spi.BaseQueue#claimAhead}): sends that claim now, so its reply is on the way while
   * the caller hands out the batch before. Only where the last claim took a pack as it is and
   * named another next (that claim likely takes it whole), not with {@code GLOBAL_MAX_WORKERS}
   * (a claim ahead would hold a lease of the cap with no handler running), and not while a sweep
   * is due or runs: then the next claim asks when called.
   *
   * @return whether the claim was sent
   */
  boolean claimAhead(int max) {
    if (claimedAhead.get() != null || settings.globalMaxWorkers() > 0 || waitFirst || trickle
        || ahead.get() == null || aheadMissed || lease.sweepNeeded() || closed.getAsBoolean()) {
      return false;
    }
    String c = lease.consumer();
    long stamp = c == null ? 0 : lease.claimLock().tryReadLock();
    if (stamp == 0) {
      return false;
    }
    ReadAhead pre;
    CompletableFuture<List<Object>> reply;
    try {
      pre = readAhead();
      reply = calls.<List<Object>>run(Script.CLAIM, c, claimArgs(c, max)).toCompletableFuture();
    } catch (RuntimeException e) {
      // not sent: the next claim asks when called, and reports what fails then
      lease.claimLock().unlockRead(stamp);
      return false;
    }
    claimedAhead.set(new Ahead(c, pre, reply, stamp));
    return true;
  }

  /**
   * Takes the reply of the claim sent ahead, as {@link #claimOnce} takes its own; null when none
   * was sent, or when its consumer was fenced (the caller claims as usual).
   */
  private ClaimResult takeAhead() {
    Ahead a = claimedAhead.getAndSet(null);
    if (a == null) {
      return null;
    }
    try {
      List<Object> r;
      try {
        r = calls.await(a.reply(), Script.CLAIM);
        lastClaimNanos = System.nanoTime();
      } catch (Unavailable e) {
        // the claim may have run with its reply lost: hand back what we do not hold
        lease.needSweep();
        throw e;
      }
      return accept(a.consumer(), r, a.pre());
    } finally {
      lease.claimLock().unlockRead(a.stamp());
    }
  }

  /**
   * At close (no claim runs): the deliveries of a claim sent ahead and never taken, now held, for
   * the caller to give back; empty when there is none.
   *
   * @throws QueueException when its reply cannot be had (the sweep's, then: see {@link #accept})
   */
  List<Delivery> takeAheadAtClose() {
    ClaimResult r = takeAhead();
    return r == null ? List.of() : r.deliveries;
  }

  /** Sends the read of the pack predicted next, unless there is none or the last one missed. */
  private ReadAhead readAhead() {
    String id = ahead.getAndSet(null);
    boolean skip = aheadMissed;
    aheadMissed = false;
    return id == null || skip ? null : new ReadAhead(id, calls.readPack(id));
  }

  private ClaimResult claimOnce(int max) {
    StampedLock claimLock = lease.claimLock();
    ReadAhead pre = readAhead();
    for (int attempt = 0; ; attempt++) {
      long stamp = claimLock.readLock();
      try {
        String c = lease.consumer();
        if (c == null) {
          lease.ensureRegistered();
          c = lease.consumer();
        }
        List<Object> r;
        try {
          r = calls.attempt(Script.CLAIM, c, claimArgs(c, max));
          lastClaimNanos = System.nanoTime();
        } catch (Unavailable e) {
          // the claim may have run with its reply lost: hand back what we do not hold
          lease.needSweep();
          throw e;
        }
        ClaimResult result = accept(c, r, pre);
        if (result != null) {
          return result;
        }
        if (attempt > 2) {
          throw new QueueException("queue \"" + name + "\": consumer registration keeps being "
              + "lost at " + calls.where());
        }
      } finally {
        claimLock.unlockRead(stamp);
      }
    }
  }

  /**
   * The trickle path ({@link #trickle} is set only where {@link #claimsBehindWake}): the claim
   * script sent behind a {@code BLPOP} of at most {@code blockNanos}
   * on the wake waiter's connection ({@link WakeWaiter#awaitThen}), so it runs in Redis as soon
   * as a token comes. Holds the claim lock throughout, as {@link #claimOnce} does, so no sweep
   * hands back entries the claim has put in flight before this process has read its reply.
   * Returns null, having sent nothing, when it cannot go (another thread blocks, a long {@code
   * BLPOP} is pending, a sweep runs or is due, not registered): the caller waits as before; {@link
   * #CLAIM_AGAIN} when the consumer was fenced.
   */
  private ClaimResult claimBehindWake(int max, long blockNanos) {
    StampedLock claimLock = lease.claimLock();
    long stamp = claimLock.tryReadLock();
    if (stamp == 0) {
      return null;
    }
    try {
      String c = lease.consumer();
      if (c == null || lease.sweepNeeded()) {
        return null;
      }
      byte[][] args = claimArgs(c, max);
      List<Object> r;
      try {
        r = waker.awaitThen(blockNanos, on -> calls.<List<Object>>runOn(on, Script.CLAIM, c, args),
            (reply, block) -> calls.awaitBehind(reply, Script.CLAIM, block));
      } catch (Unavailable | QueueInterruptedException e) {
        // the claim may have run with its reply lost: hand back what we do not hold
        lease.needSweep();
        throw e;
      }
      if (r == null) {
        return null;
      }
      lastClaimNanos = System.nanoTime();
      ClaimResult result = accept(c, r, null);
      return result != null ? result : CLAIM_AGAIN;
    } finally {
      claimLock.unlockRead(stamp);
    }
  }

  private byte[][] claimArgs(String c, int max) {
    return new byte[][] {str(c), str(max), str(clock.millis()), str(settings.length()),
        str(settings.deadLetterLength()), str(lease.ttlMs()), str(settings.globalMaxWorkers())};
  }

  /**
   * Takes the claim script's reply for consumer {@code c} (called with the claim lock held): holds
   * its deliveries, sets how the next claim waits, signals freed room, reports dead letters.
   * Returns null when {@code c} was fenced (no longer registered).
   *
   * @param pre the pack read ahead with this claim, or null
   */
  private ClaimResult accept(String c, List<Object> r, ReadAhead pre) {
    if ((Long) r.get(0) == -1 && r.size() == 1) {
      lease.fenced(c);
      trickle = false;
      return null;
    }
    long earliest = (Long) r.get(0);
    if ((Long) r.get(2) < 0) {
      // GLOBAL_MAX_WORKERS: the queue's claims hold the cap's leases; the one freed next
      // leaves a wake token, which the caller waits for (no due time: nothing to claim)
      waitDue = -1;
      waitFirst = true;
      return new ClaimResult(List.of(), -1);
    }
    if ((Long) r.get(1) == 1) {
      room.signal();
    }
    int n = ((Long) r.get(2)).intValue();
    long wait = (Long) r.get(3);
    waitDue = wait == 2 ? earliest : -1;
    waitFirst = wait != 0;
    trickle = claimsBehindWake && wait == 2;
    // the batch's delivery ids are consecutive: base + 1 .. base + n
    long base = (Long) r.get(4);
    // a claim of one pack taken as it is answers with the pack's reference (and the one next at
    // the head, if any), not its entries
    List<?> refs = n > 0 && r.get(5) instanceof List<?> l ? l : null;
    String ref = refs != null ? utf8(refs.get(0)) : null;
    ahead.set(refs != null && refs.size() > 1 ? packId(utf8(refs.get(1))) : null);
    // a read ahead of a pack this claim did not take was in vain: the next claim reads none
    ReadAhead used = pre != null && ref != null && pre.id().equals(packId(ref)) ? pre : null;
    if (pre != null && used == null) {
      aheadMissed = true;
    }
    List<Delivery> out;
    try {
      out = ref != null ? packDeliveries(base, ref, n, used) : deliveries(name, base, r, 5, n);
    } catch (QueueException e) {
      // held by no delivery: the next sweep hands the claim's entries back
      lease.needSweep();
      calls.report(r, 5 + (ref != null ? 1 : n));
      throw e;
    }
    lease.holdClaim(base + 1, n, c, ref != null);
    calls.report(r, 5 + (ref != null ? 1 : n));
    return new ClaimResult(out, earliest);
  }

  /**
   * The {@code n} deliveries of a claim of one pack, named by reference {@code ref}
   * ({@code "P" n ":" firstPushedMs ":" id}, {@code refof} in prelude.lua): the pack is read here,
   * by one {@code HGET} (or the read ahead {@code pre} of this pack, if any), so its entries never
   * pass through the claim script.
   *
   * @throws QueueException naming the queue and the claim when the pack is missing or is not
   *     {@code n} entries this version reads
   */
  private List<Delivery> packDeliveries(long base, String r, int n, ReadAhead pre) {
    String id = packId(r);
    byte[] pack = null;
    if (pre != null) {
      try {
        pack = calls.pack(pre.read());
      } catch (QueueUnavailableException e) {
        // read again below: an outage that lasts is reported by that read, with the claim's
        // own bookkeeping (its entries stay in flight until the sweep)
        pack = null;
      }
    }
    if (pack == null && id != null) {
      pack = calls.pack(id);
    }
    String claim = "the claim of deliveries " + (base + 1) + ".." + (base + n);
    if (pack == null) {
      throw new QueueException("queue \"" + name + "\": " + claim + " names a pack that is not "
          + "there (" + Previews.of(r, 80) + "): deleted by another program, or the claim was "
          + "recovered meanwhile; what is still in flight is the consumer's sweep's");
    }
    int[] at;
    try {
      at = Packs.bounds(pack, n);
    } catch (IllegalStateException e) {
      throw new QueueException("queue \"" + name + "\": " + claim + " names a pack this version "
          + "cannot read: " + e.getMessage() + "; its entries stay in flight until the "
          + "consumer's sweep dead-letters them", e);
    }
    byte[] entries = pack;
    return read(name, base, n, (i, did) -> Entries.delivery(did, entries, at[2 * i],
        at[2 * i + 1]));
  }

  private static String utf8(Object bytes) {
    return new String((byte[]) bytes, StandardCharsets.UTF_8);
  }

  /** The pack id a reference names ({@code "P" n ":" firstPushedMs ":" id}), or null for none. */
  private static String packId(String r) {
    int second = r.indexOf(':', r.indexOf(':') + 1);
    return r.startsWith("P") && second > 0 && second < r.length() - 1
        ? r.substring(second + 1) : null;
  }

  /**
   * The {@code n} deliveries of the entries in {@code r} from index {@code from} (the claim
   * script's reply, or a pack's entries), their ids {@code base + 1 .. base + n}. The script hands out only entries whose header it reads, within the bounds the
   * client reads ({@code header()} in prelude.lua); an entry that is none here all the same is
   * the queue's exception, not a bare parse error.
   *
   * @throws QueueException naming the queue and the delivery when an entry is not one this version
   *     reads
   */
  static List<Delivery> deliveries(String queue, long base, List<?> r, int from, int n) {
    return read(queue, base, n, (i, did) -> Entries.delivery(did, (byte[]) r.get(from + i)));
  }

  /** Reads entry {@code i} of a claim as delivery {@code did}. */
  private interface EntryReader {
    Delivery read(int i, long did);
  }

  /**
   * The claim's {@code n} deliveries, ids {@code base + 1} on, each read by {@code entry}; an
   * entry this version cannot read fails the claim, naming it.
   */
  private static List<Delivery> read(String queue, long base, int n, EntryReader entry) {
    List<Delivery> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long did = base + 1 + i;
      try {
        out.add(entry.read(i, did));
      } catch (IllegalStateException | NumberFormatException | IndexOutOfBoundsException e) {
        throw new QueueException("queue \"" + queue + "\": the claim handed out an entry "
            + "(delivery " + did + ") that this version cannot read: " + e.getMessage()
            + "; the claim's " + n + " entries stay in flight until the consumer's sweep hands "
            + "them back", e);
      }
    }
    return out;
  }
}
