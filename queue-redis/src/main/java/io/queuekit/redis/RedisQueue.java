package io.queuekit.redis;

import static io.queuekit.redis.Entries.str;
import static io.queuekit.redis.Entries.utf8;

import io.queuekit.ItemTooLargeException;
import io.queuekit.PushResult;
import io.queuekit.QueueClosedException;
import io.queuekit.QueueException;
import io.queuekit.QueueFullException;
import io.queuekit.QueueInterruptedException;
import io.queuekit.QueueSettings;
import io.queuekit.QueueUnavailableException;
import io.queuekit.redis.RedisCalls.Unavailable;
import io.queuekit.redis.Scripts.Script;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Digests;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreStats;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code redis} backend: one named queue stored in Redis, shared by every process and host
 * that opens the same name on the same server (or cluster).
 *
 * <h2>Key layout (version 2)</h2>
 *
 * <p>{@code T} is the hash tag <code>{PREFIX + NAME + QUEUE_NAME}</code> (e.g. {@code {mail_queue}}),
 * so every key of a queue is in one cluster slot; queues spread over the shards. Every script
 * gets every key it touches in {@code KEYS}.
 *
 * <pre>
 * key                      type   holds
 * ───────────────────────  ─────  ────────────────────────────────────────────────────────────
 * T:ready                  list   entries, claimable now, head first
 * T:delayed                zset   waitingId ":" entry, score = due time (ms, queue clock); the
 *                                 id is 16 zero-padded digits, so members are distinct and
 *                                 equal due times keep admission order
 * T:firsts                 zset   first-pushed times (ms) of waiting items, member = score = ms,
 *                                 so the oldest waiting item is ZRANGE 0 0, without a scan
 * T:firstn                 hash   first-pushed ms → how many waiting items have it (a member
 *                                 of T:firsts exactly while its count is above 0)
 * T + SET_NAME part        hash   unique flavour: SHA-256 hex of the identity →
 *   (e.g. {mail_queue}_unique)    deliveries ":" recoveries, the larger counts of the waiting
 *                                 copy and of every copy merged into it (the claim applies
 *                                 them); one member per waiting item
 * T:inflight:&lt;consumer&gt;    hash   delivery id → entry, one per live consumer
 * T:heartbeat:&lt;consumer&gt;   string present while the consumer lives (PX = CONSUMER_TIMEOUT)
 * T:consumers              hash   consumer id → "host pid" (registered waiters)
 * T:wake                   list   wake tokens, at most one per waiter: one per item made ready,
 *                                 one per item a claim left ready, one when a delayed item
 *                                 becomes the earliest
 * T:room                   list   room tokens for producers waiting on a full queue
 * T:dead                   zset   dead letters, score = dead-letter id
 * T:meta                   hash   version=2, flavour=simple|unique, seq (id counter: waiting ids
 *                                 of delayed items, delivery and dead-letter ids, never
 *                                 reused), deaddropped, full (a producer waits for room),
 *                                 roomwatchers
 * T:promoter               string lease of the one process that wakes a waiter when a delayed
 *                                 item falls due (SET NX PX, CONSUMER_TIMEOUT; renewed once per
 *                                 heartbeat period while delayed items wait, else left to lapse)
 *
 * entry        = deliveries ":" recoveries ":" firstPushedMs ":" digestHex ":" payload
 * dead letter  = id ":" deliveries ":" recoveries ":" firstPushedMs ":" deadAtMs ":" digestHex
 *                ":" reasonBytes ":" reason payload
 * </pre>
 *
 * <p>Per item, a push is one list (or delayed set) write, plus on a unique queue one unique-set
 * write; a batch shares its commands, its id draw and its first-pushed count. A claim is one pop
 * and one in-flight write per item (plus reading and deleting its unique-set member), in one
 * {@code LRANGE}/{@code LTRIM} and one {@code HSET} per claim, one delivery-id draw per claim
 * (the batch's ids are the sequence's last values) and one first-pushed count per distinct
 * first-pushed ms; an ack is one {@code HDEL} per delivery, whose answer tells done from stale
 * (no entry is read back). The counts of a
 * unique copy merged into a waiting one live in the unique set until that copy is claimed: no
 * read of a waiting entry shows counts, so the claim is the first step that needs them.
 *
 * <p>Besides that, every script call pays a fixed part, kept to a few O(1) reads: a claim checks
 * the consumer's registration, reads the earliest due time once (promoting only when it has
 * come; it is also the due time the claim returns), counts what it left ready only when it took
 * a full batch, and looks for a waiting producer ({@code meta.full}) only when it took items;
 * a wake is one {@code HLEN} of the registry and, when someone is registered, one {@code LLEN}
 * of the wake list and at most one {@code RPUSH}.
 *
 * <p>Invariant, checked by the multi-process test every 100 ms: {@code LLEN T:ready + ZCARD
 * T:delayed == HLEN} of the unique set on a unique queue. Opening a queue whose meta says a newer
 * version or the other flavour, or whose keys hold another type, is an error naming the key.
 *
 * <p><b>Layout 1</b> (before this version) kept waiting ids in {@code T:ready} and {@code
 * T:delayed}, the entries in a hash {@code T:items} (waiting id → entry), their first-pushed
 * times in a zset {@code T:pushed} (score = ms, member = waiting id), and waiting ids as the
 * unique set's values; in-flight hashes, dead letters and meta were as above with version=1.
 * Opening a layout-1 queue migrates it, in steps of {@link #MIGRATION_STEP} items, each one
 * run of the open script: a step moves items from the head of layout 1's ready list, then from
 * the start of its delayed set, into {@code T:ready:migrating}, {@code T:delayed:migrating} and
 * the unique set's name + {@code :migrating} (as layout-2 entries with their counts; the
 * first-pushed counts go straight to {@code T:firsts}/{@code T:firstn}), deleting what it moved
 * from layout 1's keys; the last step renames the {@code :migrating} keys over layout 1's and
 * drops {@code T:items} and {@code T:pushed}. Meta says version=2 and migrating=1 from the first
 * step until the last, and {@code open} returns only after the last. So between steps every
 * item is in exactly one place, a process that dies mid-way leaves whole steps behind and the
 * next opener carries on, and two openers at once share the steps. Stop processes running
 * layout 1 first: they refuse to open a queue marked version 2, but one already running keeps
 * writing layout 1 and does not re-read the version.
 *
 * <h2>Processes</h2>
 *
 * <p>This class runs the {@link BaseQueue} operations and the claim loop; each protocol around
 * them lives, with its explanation, in the class that runs it:
 * <ul>
 *   <li>{@link RedisCalls}: the one call path (error mapping, retry with backoff, outages);
 *   <li>{@link ConsumerLease}: register, beat, sweep, reap, recover;
 *   <li>{@link Promoter}: the lease that wakes a waiter when a delayed item falls due;
 *   <li>{@link WakeWaiter}: the blocking wait for wake tokens;
 *   <li>{@link RoomWatcher}: producers waiting for room on a full queue;
 *   <li>{@link Entries}: the entry and dead-letter format drawn above.
 * </ul>
 *
 * <p>A claim whose wait ran out with no token, nothing having fallen due, blocks again without
 * claiming first (see {@link #canSkipClaim}); it claims first anyway when it must not wait, while
 * unregistered or a sweep is pending, once the earliest due time it knew has come (by the queue
 * clock), and when neither a claim nor a beat looked for ready items for two heartbeat periods.
 * A claim bounds its blocking wait by the earliest due time its claim script returned. An idle
 * queue costs one {@code BLPOP} per waiter per blocking timeout, and the beat's two commands
 * (with the registry read, about 2.4) per instance per heartbeat period.
 *
 * <p><b>Thread-safety:</b> every method may be called from any thread. <b>Ordering:</b> FIFO per
 * queue across processes; recovered and unclaimed items go to the head. <b>Durability:</b> as
 * durable as the Redis server's persistence ({@code appendonly yes}, {@code appendfsync always}
 * for no loss on a server crash); every step is one script, so a crash of either side leaves no
 * half-done step.
 */
final class RedisQueue implements BaseQueue {
  private static final Logger log = LoggerFactory.getLogger(RedisQueue.class);

  static final int LAYOUT_VERSION = 2;
  /** Items one step of the layout 1 migration moves: one script, about 0.1 s on a busy server. */
  static final int MIGRATION_STEP = 5_000;
  private static final int PUSH_BATCH_ITEMS = 256;
  private static final int PUSH_BATCH_BYTES = 4 << 20;
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] EMPTY = new byte[0];

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
  /** When the claim script last answered (System.nanoTime). */
  private volatile long lastClaimNanos = System.nanoTime();

  /** Guards {@link #wakeCond}: claimers of this process waiting in process. */
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wakeCond = lock.newCondition();
  private final ReentrantReadWriteLock ops = new ReentrantReadWriteLock();
  private volatile boolean closed;

  RedisQueue(BaseQueueConfig config, RedisConnStr conn, SharedClient.StartPolicy start,
      Duration blockTimeout) {
    this.config = config;
    this.name = config.name();
    this.unique = config.unique();
    this.settings = config.settings();
    this.clock = config.clock();
    this.keys = new RedisKeys(name, conn.prefix, config.queueFullName(), config.setFullName());
    conn.unknownOptionsMessage().ifPresent(m -> log.warn("queue \"{}\": {}", name, m));
    this.shared = SharedClient.acquire(conn, name, start);
    long ttlMs = Math.max(1000, settings.consumerTimeout().toMillis());
    Duration half = shared.commandTimeout.dividedBy(2);
    // the blocking timeout stays below the command timeout, or Lettuce would time BLPOP out
    this.blockTimeout = blockTimeout.compareTo(half) < 0 ? blockTimeout : half;
    String display = host() + " " + ManagementFactory.getRuntimeMXBean().getPid();
    this.calls = new RedisCalls(name, unique, settings, shared, keys, config.events(),
        () -> closed, nanos -> awaitLocal(wakeCond, nanos));
    this.lease = new ConsumerLease(name, calls, shared, keys, settings, clock,
        config.scheduler(), ttlMs, display, () -> closed, this::signalWake);
    this.waker = new WakeWaiter(name, shared, keys, () -> closed,
        nanos -> awaitLocal(wakeCond, nanos), this::signalWake);
    this.room = new RoomWatcher(name, shared, keys, this.blockTimeout, () -> closed);
    try {
      open();
      warnAboutGiteaList(conn.prefix);
    } catch (RuntimeException e) {
      shared.release();
      throw e;
    }
  }

  // ───────────────────────────── opening ─────────────────────────────

  private void open() {
    long migrated = 0;
    boolean more = true;
    while (more) {
      List<Object> r = calls.openStep();
      long code = (Long) r.get(0);
      if (code == 1) {
        int index = ((Long) r.get(1)).intValue();
        throw calls.wrongType(index, utf8(r.get(2)));
      }
      if (code == 2) {
        throw new io.queuekit.QueueConfigException("queue \"" + name + "\": " + keys.meta + " at "
            + calls.where() + " says layout version " + utf8(r.get(1)) + ", newer than this "
            + "version's " + LAYOUT_VERSION + "; upgrade queuekit");
      }
      if (code == 3) {
        throw new io.queuekit.QueueConfigException("queue \"" + name + "\": " + keys.meta + " at "
            + calls.where() + " holds a " + utf8(r.get(1)) + " queue but it is opened as "
            + (unique ? "unique" : "simple") + "; use another name or remove the old queue's keys");
      }
      long m = (Long) r.get(1);
      migrated += Math.max(0, m);
      more = (Long) r.get(2) == 1;
      if (m >= 0 && !more) {
        log.info("queue \"{}\": migrated the keys {}:* at {} from layout version 1 to {} (this "
            + "process moved {} waiting items)", name, keys.tag, calls.where(), LAYOUT_VERSION,
            migrated);
      }
    }
  }

  /**
   * Gitea's own Redis queue kept a plain list at {@code PREFIX + NAME + QUEUE_NAME} (no braces);
   * items left there by Gitea are not read by this layout, so say so once, at open.
   */
  private void warnAboutGiteaList(String prefix) {
    String legacy = prefix + config.queueFullName();
    try {
      String type = calls.get(shared.async.type(RedisKeys.b(legacy)), "open");
      if ("list".equals(type)) {
        long n = calls.get(shared.async.llen(RedisKeys.b(legacy)), "open");
        log.warn("queue \"{}\": Redis at {} has a list {} with {} items, the layout of Gitea's "
            + "redis queue; this queue uses the keys {}:* and does not read it. Push those items "
            + "again (or delete the list) once Gitea no longer runs", name, calls.where(), legacy,
            n, keys.tag);
      }
    } catch (QueueException e) {
      log.debug("queue \"{}\": could not look for Gitea's list {}: {}", name, legacy, e.getMessage());
    }
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
    checkSize(item, -1);
    return pushAllFrom(List.of(item), delay, timeout, true).get(0);
  }

  @Override
  public List<PushResult> pushAll(List<Item> items, Duration timeout) {
    for (int i = 0; i < items.size(); i++) {
      checkSize(items.get(i), i);
    }
    return pushAllFrom(items, Duration.ZERO, timeout, false);
  }

  @Override
  public PushResult offer(Item item) {
    checkSize(item, -1);
    enter();
    try {
      byte[][] args = pushArgs(List.of(item), 0, 1, Duration.ZERO, false);
      List<Object> r = calls.call(Script.PUSH, null, args);
      PushResult result = code((Long) r.get(0));
      if (result == PushResult.ADDED) {
        signalWake();
      }
      return result;
    } finally {
      exit();
    }
  }

  private List<PushResult> pushAllFrom(List<Item> items, Duration delay, Duration timeout,
      boolean single) {
    interruptCheck();
    enter();
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      List<PushResult> results = new ArrayList<>(items.size());
      // identities of this batch already admitted or found waiting: a second copy in one batch
      // is a duplicate even if the first was claimed meanwhile
      Set<String> seen = new HashSet<>();
      int i = 0;
      while (i < items.size()) {
        if (unique && seen.contains(digest(items.get(i)))) {
          results.add(PushResult.DUPLICATE);
          i++;
          continue;
        }
        Set<String> inBatch = new HashSet<>();
        int end = i;
        long bytes = 0;
        while (end < items.size() && end - i < PUSH_BATCH_ITEMS
            && (end == i || bytes < PUSH_BATCH_BYTES)) {
          if (unique) {
            String d = digest(items.get(end));
            if (seen.contains(d) || !inBatch.add(d)) {
              break;
            }
          }
          bytes += items.get(end).payload().length;
          end++;
        }
        byte[][] args = pushArgs(items, i, end, delay, true);
        List<Object> r = calls.callRetrying(Script.PUSH, null, deadline, args);
        boolean full = false;
        boolean added = false;
        for (Object o : r) {
          PushResult p = code((Long) o);
          if (p == PushResult.FULL) {
            full = true;
            break;
          }
          added |= p == PushResult.ADDED;
          if (unique) {
            seen.add(digest(items.get(i)));
          }
          results.add(p);
          i++;
        }
        if (added) {
          signalWake();
          if (delay.toMillis() > 0) {
            lease.promoter().dueAt(clock.millis() + delay.toMillis());
          }
        }
        if (full && !room.awaitRoom(deadline)) {
          throw new QueueFullException(name, settings.length(), single ? List.of() : results);
        }
      }
      return results;
    } finally {
      exit();
    }
  }

  private byte[][] pushArgs(List<Item> items, int from, int to, Duration delay, boolean markFull) {
    long now = clock.millis();
    long due = delay.isZero() || delay.isNegative() ? 0 : now + delay.toMillis();
    byte[][] args = new byte[3 + 3 * (to - from)][];
    args[0] = str(now);
    args[1] = str(settings.length());
    args[2] = str(markFull ? "1" : "0");
    int a = 3;
    byte[] dueBytes = str(due);
    byte[] prefix = Entries.newPrefix(now);
    for (int i = from; i < to; i++) {
      Item item = items.get(i);
      byte[] dg = unique ? str(digest(item)) : EMPTY;
      args[a++] = dg;
      args[a++] = dueBytes;
      args[a++] = Entries.entry(prefix, dg, item.payload());
    }
    return args;
  }

  @Override
  public List<Delivery> claim(int max, Duration wait) {
    interruptCheck();
    enter();
    try {
      long deadline = System.nanoTime() + wait.toNanos();
      // the last claim of this instance ended idle: it found nothing and then waited out a
      // blocking timeout with no token. Nothing was made ready since without leaving a token, so
      // block again at once, without claiming first (one command per wait on an idle queue)
      long idleDue = idle.getAndSet(IDLE_NONE);
      // a claim that must not wait always asks the store
      boolean skipClaim = idleDue != IDLE_NONE && wait.toNanos() > 0 && canSkipClaim(idleDue);
      while (true) {
        if (closed) {
          return List.of();
        }
        long earliestDue;
        try {
          if (skipClaim) {
            skipClaim = false;
            earliestDue = idleDue == IDLE_NO_DUE ? -1 : idleDue;
          } else {
            lease.ensureRegistered();
            if (lease.sweepNeeded()) {
              lease.sweep();
            }
            ClaimResult r = claimOnce(Math.max(1, max));
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
          awaitLocal(wakeCond, pause);
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
        } catch (Unavailable e) {
          calls.outage.started(e.getCause());
          awaitLocal(wakeCond, Math.min(TimeUnit.MILLISECONDS.toNanos(calls.outage.next()),
              Math.max(0, deadline - System.nanoTime())));
        }
      }
    } finally {
      exit();
    }
  }

  /**
   * Whether a claim may block without claiming first after an idle wait that knew {@code
   * idleDue} (the earliest due time then, or {@link #IDLE_NO_DUE}): still registered under the
   * same id, no sweep pending, that due time not reached (by the queue clock, which tests move by
   * hand), and ready items were looked for lately: every beat does (once per heartbeat period) and
   * leaves a wake token when it finds some, so an item made ready without a token (a token lost
   * with a closed connection) waits at most a heartbeat period. While beats fail, the claim loop
   * claims itself once per two periods.
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
    return System.nanoTime() - looked < TimeUnit.MILLISECONDS.toNanos(2 * lease.beatMs());
  }

  private long dueInNanos(long earliestDue) {
    if (earliestDue < 0) {
      return Long.MAX_VALUE;
    }
    return TimeUnit.MILLISECONDS.toNanos(earliestDue - clock.millis());
  }

  private record ClaimResult(List<Delivery> deliveries, long earliestDue) {}

  private ClaimResult claimOnce(int max) {
    StampedLock claimLock = lease.claimLock();
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
          r = calls.attempt(Script.CLAIM, c, str(c), str(max), str(clock.millis()),
              str(settings.length()), str(settings.deadLetterLength()));
          lastClaimNanos = System.nanoTime();
        } catch (Unavailable e) {
          // the claim may have run with its reply lost: hand back what we do not hold
          lease.needSweep();
          throw e;
        }
        if ((Long) r.get(0) == -1 && r.size() == 1) {
          lease.fenced(c);
          if (attempt > 2) {
            throw new QueueException("queue \"" + name + "\": consumer registration keeps being "
                + "lost at " + calls.where());
          }
          continue;
        }
        long earliest = (Long) r.get(0);
        if ((Long) r.get(1) == 1) {
          room.signal();
        }
        int n = ((Long) r.get(2)).intValue();
        List<Delivery> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          long did = (Long) r.get(3 + 2 * i);
          out.add(Entries.delivery(did, (byte[]) r.get(4 + 2 * i)));
          lease.hold(did, c);
        }
        calls.report(r, 3 + 2 * n);
        return new ClaimResult(out, earliest);
      } finally {
        claimLock.unlockRead(stamp);
      }
    }
  }

  @Override
  public List<Outcome> ack(List<Delivery> deliveries) {
    enter();
    try {
      List<Outcome> out = new ArrayList<>(Arrays.asList(new Outcome[deliveries.size()]));
      // group by the consumer id each was claimed under: one script per in-flight hash
      for (Map.Entry<String, List<Integer>> e : byConsumer(deliveries, out).entrySet()) {
        List<Integer> idx = e.getValue();
        byte[][] args = new byte[1 + idx.size()][];
        args[0] = str(settings.length());
        for (int j = 0; j < idx.size(); j++) {
          args[1 + j] = str(deliveries.get(idx.get(j)).id());
        }
        List<Object> r = settle(Script.ACK, e.getKey(), idx, deliveries, args);
        if ((Long) r.get(0) == 1) {
          room.signal();
        }
        for (int j = 0; j < idx.size(); j++) {
          out.set(idx.get(j), (Long) r.get(1 + j) == 1 ? Outcome.DONE : Outcome.STALE);
        }
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
              str(settings.deadLetterLength())});
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
      List<Outcome> out = new ArrayList<>(Arrays.asList(new Outcome[deliveries.size()]));
      boolean any = false;
      for (Map.Entry<String, List<Integer>> e : byConsumer(deliveries, out).entrySet()) {
        List<Integer> idx = e.getValue();
        byte[][] args = new byte[idx.size() + 2][];
        args[0] = str(clock.millis());
        args[1] = str(settings.deadLetterLength());
        for (int j = 0; j < idx.size(); j++) {
          args[j + 2] = str(deliveries.get(idx.get(j)).id());
        }
        List<Object> r = settle(Script.UNCLAIM, e.getKey(), idx, deliveries, args);
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
    } finally {
      exit();
    }
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
              str(settings.deadLetterLength())});
      if ((Long) r.get(0) == 0) {
        return Outcome.STALE;
      }
      calls.logDropped(r, 1);
      return Outcome.DONE;
    } finally {
      exit();
    }
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
        for (int i : idx) {
          lease.forget(deliveries.get(i).id());
        }
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
          str(HEX.formatHex(Digests.sha256(identity)))), "has");
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
      Map<byte[], byte[]> consumers = calls.get(shared.async.hgetall(RedisKeys.b(keys.consumers)),
          "stats");
      byte[][] std = keys.script(null);
      byte[][] all = Arrays.copyOf(std, std.length + consumers.size());
      int i = std.length;
      for (byte[] c : consumers.keySet()) {
        all[i++] = RedisKeys.b(keys.inflight(utf8(c)));
      }
      List<Object> r = calls.callKeys(Script.STATS, all, str(clock.millis()));
      long oldest = (Long) r.get(5);
      return new StoreStats((Long) r.get(0), (Long) r.get(1), (Long) r.get(2), (Long) r.get(3),
          (Long) r.get(4), oldest < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(oldest)));
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
      List<byte[]> members = calls.get(shared.async.zrevrange(RedisKeys.b(keys.dead),
          Math.max(0, offset), (long) Math.max(0, offset) + limit - 1), "listDead");
      List<DeadLetter> out = new ArrayList<>(members.size());
      for (byte[] m : members) {
        out.add(Entries.deadLetter(m));
      }
      return out;
    } finally {
      exit();
    }
  }

  @Override
  public long replayDead(Collection<Long> ids) {
    if (ids.isEmpty()) {
      enter();
      exit();
      return 0;
    }
    return replay(ids.stream().map(Entries::str).toArray(byte[][]::new));
  }

  @Override
  public long replayAllDead() {
    return replay(new byte[][] {str("all")});
  }

  private long replay(byte[][] args) {
    enter();
    try {
      long n = calls.<Long>call(Script.REPLAY, null, args);
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
    enter();
    try {
      if (ids.isEmpty()) {
        return 0;
      }
      return calls.<Long>call(Script.PURGE, null,
          ids.stream().map(Entries::str).toArray(byte[][]::new));
    } finally {
      exit();
    }
  }

  @Override
  public long purgeAllDead() {
    enter();
    try {
      return calls.<Long>call(Script.PURGE, null, str("all"));
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

  /** The consumer id this instance claims under, or null before its first claim. */
  String consumerId() {
    return lease.consumer();
  }

  RedisKeys keys() {
    return keys;
  }

  /** See {@link ConsumerLease#reapNow}. */
  void reapNow(String self) {
    lease.reapNow(self);
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

  private void checkSize(Item item, int index) {
    if (item.payload().length > settings.maxItemSize()) {
      throw new ItemTooLargeException(name, index, item.payload().length, settings.maxItemSize());
    }
  }

  private static PushResult code(long c) {
    return c == 0 ? PushResult.ADDED : c == 1 ? PushResult.DUPLICATE : PushResult.FULL;
  }

  private String digest(Item item) {
    return HEX.formatHex(Digests.sha256(item.identity()));
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
