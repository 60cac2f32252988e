package io.queuekit.redis;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulConnection;
import io.queuekit.ItemTooLargeException;
import io.queuekit.PushResult;
import io.queuekit.QueueClosedException;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueException;
import io.queuekit.QueueFullException;
import io.queuekit.QueueInterruptedException;
import io.queuekit.QueueSettings;
import io.queuekit.QueueUnavailableException;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Digests;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreStats;
import io.queuekit.redis.Scripts.Script;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * <p>Each instance claims under a random consumer id (registered on its first claim). Once per
 * heartbeat period ({@code CONSUMER_TIMEOUT}/3), from the manager's scheduler, its beat sends two
 * plain commands together: {@code SET T:heartbeat:<id> 1 XX PX CONSUMER_TIMEOUT} (the key exists
 * only while the consumer is registered; when it is missing the heartbeat script tells a lapse
 * from a reap) and one {@code EXISTS} over {@code T:ready}, {@code T:delayed}, its in-flight hash
 * while it holds no delivery, and the heartbeat of every other consumer its last registry read
 * found (weighted by repetition, so the one count says which held anything). So an idle instance
 * runs no script. When the answer says so, the beat also:
 * <ul>
 *   <li>reaps: for each known consumer whose heartbeat is gone, the recovery script (which
 *       re-checks it) returns its in-flight items to the head with recovery count + 1, from
 *       {@code CONSUMER_TIMEOUT} to one period more after its last heartbeat (for a consumer
 *       registered since the last registry read, once the next read finds it). The registry
 *       ({@code HKEYS T:consumers}) is read at registration (reaping at once what is dead, so a
 *       process restarting after a crash gets its old items back before its first claim) and
 *       again, jittered, every 0.5 to 1 × {@code CONSUMER_TIMEOUT};
 *   <li>sweeps: while it holds deliveries, or when its in-flight hash holds entries while it holds
 *       none, it hands back to the head (counts unchanged) every entry in flight under its id that
 *       no delivery it holds names: a claim whose reply was lost. The claim loop sweeps too, before
 *       claiming, after a claim that failed on the client side or a beat's sweep that a running
 *       claim held off;
 *   <li>runs the promoter script (below) when items wait.
 * </ul>
 * A consumer that finds itself reaped (its heartbeat answers fenced) forgets what it held and
 * registers again. Closing with items still in flight counts as a crash for them (recovery count
 * + 1, as LevelDB does at the next open) and unregisters at once.
 *
 * <p>Waiting is by {@code BLPOP} on the wake list, on one connection per instance and one thread
 * at a time; producers waiting for room wait on a condition fed by one room watcher thread per
 * instance. An idle queue costs one {@code BLPOP} per waiter per blocking timeout, and the beat's
 * two commands (with the registry read, about 2.4) per instance per heartbeat period:
 * <ul>
 *   <li>Tokens cover what is claimable: every step that makes items ready adds tokens (capped at
 *       the registered waiters), and a claim that leaves items ready tops them up. So a claim
 *       whose wait ran out with no token, nothing having fallen due, blocks again without claiming
 *       first; it claims first anyway when it must not wait, while unregistered or a sweep is
 *       pending, once the earliest due time it knew has come (by the queue clock), and when
 *       neither a claim nor a beat looked for ready items for two heartbeat periods. A beat that
 *       finds ready items leaves a token when tokens are short, so a token lost with a closed
 *       connection costs at most one period.
 *   <li>A claim bounds its blocking wait by the earliest due time its claim script returned, then
 *       claims, promoting what fell due (lazily and in order; a claim that leaves items ready wakes
 *       others). A delayed item that becomes the earliest adds one token, so some waiter claims
 *       and learns the new due time at once: other processes' delayed items fall due on time.
 *   <li>The promoter is the fallback for a waiter that knew a due time and went busy or away. Every
 *       beat that finds delayed items runs it: it wakes one waiter, whose claim promotes, once the
 *       earliest is due, and takes or renews the lease (one holder per queue). The holder also runs
 *       it at the earliest due time it saw or (in process) that of a delayed item this process
 *       pushed or released, when that comes before its next beat. With nothing delayed nobody
 *       renews the lease.
 * </ul>
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
  private static final long BACKOFF_MIN_MS = 100;
  private static final long BACKOFF_MAX_MS = 5_000;
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] EMPTY = new byte[0];

  private final String name;
  private final boolean unique;
  private final QueueSettings settings;
  private final Clock clock;
  private final BaseQueueConfig config;
  private final SharedClient shared;
  private final RedisKeys keys;
  private final String display;
  private final long ttlMs;
  final Duration blockTimeout;

  /** Registered consumer id; null until the first claim and after being fenced. */
  private volatile String consumer;
  private final Object registration = new Object();
  /** Delivery id → consumer id it was claimed under, for every delivery not yet settled. */
  private final Map<Long, String> held = new ConcurrentHashMap<>();
  /** Claims hold it shared; the sweep of orphaned entries holds it exclusively. */
  private final StampedLock sweepLock = new StampedLock();
  private volatile boolean sweepNeeded;

  /** {@link #idle}: the last claim did not end idle. */
  private static final long IDLE_NONE = Long.MIN_VALUE;
  /** {@link #idle}: the last claim ended idle and saw no delayed item. */
  private static final long IDLE_NO_DUE = Long.MAX_VALUE;
  /**
   * How the last claim of this instance ended: {@link #IDLE_NONE}, or idle (found nothing, then
   * its blocking wait ran out with no token) knowing the earliest due time (ms) or {@link
   * #IDLE_NO_DUE}. The next claim takes it.
   */
  private final java.util.concurrent.atomic.AtomicLong idle =
      new java.util.concurrent.atomic.AtomicLong(IDLE_NONE);
  /**
   * The promoter: whether the last run held the lease; the soonest planned run and the next beat
   * (which runs it when items wait) (ms, queue clock; guarded by {@link #tasks}).
   */
  private volatile boolean promoterHolder;
  private long promoterAt = Long.MAX_VALUE;
  private long nextBeatAt = Long.MAX_VALUE;
  /** When the claim script last answered (System.nanoTime). */
  private volatile long lastClaimNanos = System.nanoTime();
  /**
   * When a beat last looked for ready items and left a wake token if there were (System.nanoTime):
   * as good as a claim for the claim loop's check on lost tokens.
   */
  private volatile long lastReadyCheckNanos = System.nanoTime();
  /** The registered consumers as the last registry read found them; the beat checks the others. */
  private volatile List<String> others = List.of();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wakeCond = lock.newCondition();
  private final Condition roomCond = lock.newCondition();
  private final ReentrantLock blockLock = new ReentrantLock();
  private StatefulConnection<byte[], byte[]> claimConn;
  private int roomWaiters;
  private Thread roomWatcher;
  private StatefulConnection<byte[], byte[]> roomConn;

  private final ReentrantReadWriteLock ops = new ReentrantReadWriteLock();
  private volatile boolean closed;
  private volatile boolean outage;
  private long backoffMs = BACKOFF_MIN_MS;
  private final List<ScheduledFuture<?>> tasks = new ArrayList<>();

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
    this.ttlMs = Math.max(1000, settings.consumerTimeout().toMillis());
    Duration half = shared.commandTimeout.dividedBy(2);
    // the blocking timeout stays below the command timeout, or Lettuce would time BLPOP out
    this.blockTimeout = blockTimeout.compareTo(half) < 0 ? blockTimeout : half;
    this.display = host() + " " + ManagementFactory.getRuntimeMXBean().getPid();
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
      List<Object> r = openStep();
      long code = (Long) r.get(0);
      if (code == 1) {
        int index = ((Long) r.get(1)).intValue();
        throw wrongType(index, utf8(r.get(2)));
      }
      if (code == 2) {
        throw new QueueConfigException("queue \"" + name + "\": " + keys.meta + " at " + where()
            + " says layout version " + utf8(r.get(1)) + ", newer than this version's "
            + LAYOUT_VERSION + "; upgrade queuekit");
      }
      if (code == 3) {
        throw new QueueConfigException("queue \"" + name + "\": " + keys.meta + " at " + where()
            + " holds a " + utf8(r.get(1)) + " queue but it is opened as " + (unique ? "unique"
            : "simple") + "; use another name or remove the old queue's keys");
      }
      long m = (Long) r.get(1);
      migrated += Math.max(0, m);
      more = (Long) r.get(2) == 1;
      if (m >= 0 && !more) {
        log.info("queue \"{}\": migrated the keys {}:* at {} from layout version 1 to {} (this "
            + "process moved {} waiting items)", name, keys.tag, where(), LAYOUT_VERSION, migrated);
      }
    }
  }

  /** One run of the open script: checks, and at most one migration step (see open.lua). */
  private List<Object> openStep() {
    try {
      @SuppressWarnings("unchecked")
      List<Object> r = (List<Object>) awaitRaw(Script.OPEN, keys.open(), str(LAYOUT_VERSION),
          str(unique ? "unique" : "simple"), str(MIGRATION_STEP));
      return r;
    } catch (Unavailable e) {
      throw unavailable("open", e.getCause());
    }
  }

  /**
   * Gitea's own Redis queue kept a plain list at {@code PREFIX + NAME + QUEUE_NAME} (no braces);
   * items left there by Gitea are not read by this layout, so say so once, at open.
   */
  private void warnAboutGiteaList(String prefix) {
    String legacy = prefix + config.queueFullName();
    try {
      String type = get(shared.async.type(RedisKeys.b(legacy)), "open");
      if ("list".equals(type)) {
        long n = get(shared.async.llen(RedisKeys.b(legacy)), "open");
        log.warn("queue \"{}\": Redis at {} has a list {} with {} items, the layout of Gitea's "
            + "redis queue; this queue uses the keys {}:* and does not read it. Push those items "
            + "again (or delete the list) once Gitea no longer runs", name, where(), legacy, n,
            keys.tag);
      }
    } catch (QueueException e) {
      log.debug("queue \"{}\": could not look for Gitea's list {}: {}", name, legacy, e.getMessage());
    }
  }

  private QueueConfigException wrongType(int index, String actual) {
    String[] expected = {"list", "zset", "hash", "hash", "hash", "list", "list", "hash", "zset",
        "hash", "string", "zset", "zset", "hash", "list", "zset", "hash"};
    String what = index <= RedisKeys.NAMES.length ? RedisKeys.NAMES[index - 1]
        : RedisKeys.MIGRATION_NAMES[index - 1 - RedisKeys.NAMES.length];
    return new QueueConfigException("queue \"" + name + "\": Redis key " + keys.name(index)
        + " at " + where() + " holds a " + actual + " where the queue keeps its "
        + what + " " + expected[index - 1] + "; another application uses "
        + "this key: choose another QUEUE_NAME or CONN_STR prefix, or delete the key");
  }

  private String where() {
    return shared.conn.masked();
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
      List<Object> r = call(Script.PUSH, null, args);
      PushResult result = code((Long) r.get(0));
      if (result == PushResult.ADDED) {
        signal(wakeCond);
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
        List<Object> r = callRetrying(Script.PUSH, args, deadline);
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
          signal(wakeCond);
          if (delay.toMillis() > 0) {
            dueAt(clock.millis() + delay.toMillis());
          }
        }
        if (full && !awaitRoom(deadline)) {
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
    // the entry is built here rather than in the script: the server's Lua would copy every
    // payload once more to prefix it
    byte[] prefix = str("0:0:" + now + ":");
    for (int i = from; i < to; i++) {
      Item item = items.get(i);
      byte[] dg = unique ? str(digest(item)) : EMPTY;
      byte[] payload = item.payload();
      byte[] entry = new byte[prefix.length + dg.length + 1 + payload.length];
      System.arraycopy(prefix, 0, entry, 0, prefix.length);
      System.arraycopy(dg, 0, entry, prefix.length, dg.length);
      entry[prefix.length + dg.length] = ':';
      System.arraycopy(payload, 0, entry, prefix.length + dg.length + 1, payload.length);
      args[a++] = dg;
      args[a++] = dueBytes;
      args[a++] = entry;
    }
    return args;
  }

  /** Waits for a room token or the local condition; false when the deadline passed. */
  private boolean awaitRoom(long deadline) {
    lock.lock();
    try {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        return false;
      }
      if (closed) {
        throw new QueueClosedException(name);
      }
      roomWaiters++;
      startRoomWatcher();
      try {
        roomCond.awaitNanos(Math.min(remaining, blockTimeout.toNanos()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new QueueInterruptedException(name, e);
      } finally {
        roomWaiters--;
      }
      if (closed) {
        throw new QueueClosedException(name);
      }
      return true;
    } finally {
      lock.unlock();
    }
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
            ensureRegistered();
            if (sweepNeeded) {
              sweep(true);
            }
            ClaimResult r = claimOnce(Math.max(1, max));
            outageEnded();
            if (!r.deliveries.isEmpty()) {
              return r.deliveries;
            }
            earliestDue = r.earliestDue;
          }
        } catch (Unavailable | QueueUnavailableException e) {
          // registration and sweep report outages as QueueUnavailableException: same handling
          sweepNeeded |= e instanceof QueueUnavailableException;
          outageStarted(e.getCause() != null ? e.getCause() : e);
          long remaining = deadline - System.nanoTime();
          if (remaining <= 0) {
            return List.of();
          }
          long pause = Math.min(TimeUnit.MILLISECONDS.toNanos(nextBackoff()), remaining);
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
          boolean woken = waitForWake(block);
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
          outageStarted(e.getCause());
          awaitLocal(wakeCond, Math.min(TimeUnit.MILLISECONDS.toNanos(nextBackoff()),
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
    if (consumer == null || sweepNeeded) {
      return false;
    }
    if (idleDue != IDLE_NO_DUE && idleDue <= clock.millis()) {
      return false;
    }
    long claimed = lastClaimNanos;
    long checked = lastReadyCheckNanos;
    long looked = claimed - checked > 0 ? claimed : checked;
    return System.nanoTime() - looked < TimeUnit.MILLISECONDS.toNanos(2 * beatMs());
  }

  private long beatMs() {
    return Math.max(100, ttlMs / 3);
  }

  private long dueInNanos(long earliestDue) {
    if (earliestDue < 0) {
      return Long.MAX_VALUE;
    }
    return TimeUnit.MILLISECONDS.toNanos(earliestDue - clock.millis());
  }

  private record ClaimResult(List<Delivery> deliveries, long earliestDue) {}

  private ClaimResult claimOnce(int max) {
    for (int attempt = 0; ; attempt++) {
      long stamp = sweepLock.readLock();
      try {
        String c = consumer;
        if (c == null) {
          ensureRegistered();
          c = consumer;
        }
        List<Object> r;
        try {
          r = await(Script.CLAIM, c, str(c), str(max), str(clock.millis()),
              str(settings.length()), str(settings.deadLetterLength()));
          lastClaimNanos = System.nanoTime();
        } catch (Unavailable e) {
          // the claim may have run with its reply lost: hand back what we do not hold
          sweepNeeded = true;
          throw e;
        }
        if ((Long) r.get(0) == -1 && r.size() == 1) {
          fenced(c);
          if (attempt > 2) {
            throw new QueueException("queue \"" + name + "\": consumer registration keeps being "
                + "lost at " + where());
          }
          continue;
        }
        long earliest = (Long) r.get(0);
        if ((Long) r.get(1) == 1) {
          signal(roomCond);
        }
        int n = ((Long) r.get(2)).intValue();
        List<Delivery> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          long did = (Long) r.get(3 + 2 * i);
          out.add(delivery(did, (byte[]) r.get(4 + 2 * i)));
          held.put(did, c);
        }
        logDropped(r, reportMade(r, 3 + 2 * n));
        return new ClaimResult(out, earliest);
      } finally {
        sweepLock.unlockRead(stamp);
      }
    }
  }

  /**
   * Waits for a wake token (one thread, on this instance's blocking connection) or a signal.
   * Returns false only when the blocking command timed out with no token: nothing was pushed
   * meanwhile, so the caller need not claim again before giving up.
   */
  private boolean waitForWake(long nanos) {
    if (!blockLock.tryLock()) {
      awaitLocal(wakeCond, nanos);
      return true;
    }
    RedisFuture<KeyValue<byte[], byte[]>> f = null;
    try {
      StatefulConnection<byte[], byte[]> c;
      lock.lock();
      try {
        if (closed) {
          return true;
        }
        c = claimConn;
      } finally {
        lock.unlock();
      }
      if (c == null) {
        c = connectBlocking();
        lock.lock();
        try {
          if (closed) {
            c.closeAsync();
            return true;
          }
          claimConn = c;
        } finally {
          lock.unlock();
        }
      }
      double seconds = Math.max(0.01, nanos / 1e9);
      f = SharedClient.commands(c).blpop(seconds, RedisKeys.b(keys.wake));
      return f.get(nanos + shared.commandTimeout.toNanos(), TimeUnit.NANOSECONDS) != null;
    } catch (InterruptedException e) {
      abandonBlocking(f);
      Thread.currentThread().interrupt();
      throw new QueueInterruptedException(name, e);
    } catch (ExecutionException | TimeoutException e) {
      if (!closed) {
        abandonBlocking(f);
        throw new Unavailable(SharedClient.unwrap(e));
      }
      return true;
    } catch (RedisException e) {
      if (!closed) {
        abandonBlocking(f);
        throw new Unavailable(e);
      }
      return true;
    } finally {
      blockLock.unlock();
      signal(wakeCond);
    }
  }

  /** A new blocking connection; an interrupt while connecting is an interrupt, not an outage. */
  private StatefulConnection<byte[], byte[]> connectBlocking() {
    try {
      return shared.dedicated();
    } catch (RedisException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
          Thread.currentThread().interrupt();
          throw new QueueInterruptedException(name, t instanceof InterruptedException
              ? (InterruptedException) t : new InterruptedException("interrupted while connecting"));
        }
      }
      throw new Unavailable(e);
    }
  }

  /**
   * A blocking command whose waiter left (interrupted, timed out) would still take the next
   * token from Redis and drop it: close its connection so it cannot, and give back a token it
   * took that nobody acted on.
   */
  private void abandonBlocking(RedisFuture<KeyValue<byte[], byte[]>> f) {
    StatefulConnection<byte[], byte[]> c;
    lock.lock();
    try {
      c = claimConn;
      claimConn = null;
    } finally {
      lock.unlock();
    }
    if (c != null) {
      c.closeAsync();
    }
    CompletableFuture<KeyValue<byte[], byte[]>> cf = f == null ? null : f.toCompletableFuture();
    if (cf != null && cf.isDone() && !cf.isCompletedExceptionally()) {
      try {
        if (cf.getNow(null) != null) {
          shared.async.rpush(RedisKeys.b(keys.wake), str("1"));
        }
      } catch (RuntimeException ignored) {
        // the token is only a hint; the next blocking timeout re-checks anyway
      }
    }
  }

  @Override
  public List<Outcome> ack(List<Delivery> deliveries) {
    enter();
    try {
      List<Outcome> out = new ArrayList<>(Arrays.asList(new Outcome[deliveries.size()]));
      // group by the consumer id each was claimed under: one script per in-flight hash
      Map<String, List<Integer>> byConsumer = new java.util.LinkedHashMap<>();
      for (int i = 0; i < deliveries.size(); i++) {
        String c = held.get(deliveries.get(i).id());
        if (c == null) {
          out.set(i, Outcome.STALE);
        } else {
          byConsumer.computeIfAbsent(c, x -> new ArrayList<>()).add(i);
        }
      }
      for (Map.Entry<String, List<Integer>> e : byConsumer.entrySet()) {
        List<Integer> idx = e.getValue();
        byte[][] args = new byte[1 + idx.size()][];
        args[0] = str(settings.length());
        for (int j = 0; j < idx.size(); j++) {
          args[1 + j] = str(deliveries.get(idx.get(j)).id());
        }
        List<Object> r = settle(Script.ACK, e.getKey(), idx, deliveries, args);
        if ((Long) r.get(0) == 1) {
          signal(roomCond);
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

  @Override
  public Outcome release(Delivery delivery, Duration delay) {
    enter();
    try {
      String c = held.get(delivery.id());
      if (c == null) {
        return Outcome.STALE;
      }
      List<Object> r = settle(Script.RELEASE, c, List.of(0), List.of(delivery),
          new byte[][] {str(delivery.id()), str(clock.millis()), str(Math.max(0, delay.toMillis())),
              str(settings.deadLetterLength())});
      long code = (Long) r.get(0);
      logDropped(r, reportMade(r, 1));
      if (code == 1 && delay.isZero()) {
        signal(wakeCond);
      } else if (code == 1 && delay.toMillis() > 0) {
        dueAt(clock.millis() + delay.toMillis());
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
      Map<String, List<Integer>> byConsumer = new java.util.LinkedHashMap<>();
      for (int i = 0; i < deliveries.size(); i++) {
        String c = held.get(deliveries.get(i).id());
        if (c == null) {
          out.set(i, Outcome.STALE);
        } else {
          byConsumer.computeIfAbsent(c, x -> new ArrayList<>()).add(i);
        }
      }
      boolean any = false;
      for (Map.Entry<String, List<Integer>> e : byConsumer.entrySet()) {
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
        logDropped(r, reportMade(r, idx.size()));
      }
      if (any) {
        signal(wakeCond);
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
      String c = held.get(delivery.id());
      if (c == null) {
        return Outcome.STALE;
      }
      List<Object> r = settle(Script.DEADLETTER, c, List.of(0), List.of(delivery),
          new byte[][] {str(delivery.id()), str(reason == null ? "" : reason), str(clock.millis()),
              str(settings.deadLetterLength())});
      if ((Long) r.get(0) == 0) {
        return Outcome.STALE;
      }
      logDropped(r, 1);
      return Outcome.DONE;
    } finally {
      exit();
    }
  }

  /** Runs a settle script; the deliveries leave {@link #held} whatever the outcome. */
  private List<Object> settle(Script s, String c, List<Integer> idx, List<Delivery> deliveries,
      byte[][] args) {
    boolean forget = true;
    try {
      return callOnce(s, c, args);
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
          held.remove(deliveries.get(i).id());
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
      return get(shared.async.hexists(RedisKeys.b(keys.unique),
          str(HEX.formatHex(Digests.sha256(identity)))), "has");
    } finally {
      exit();
    }
  }

  @Override
  public long len() {
    enter();
    try {
      return awaitLong(Script.LEN, null);
    } finally {
      exit();
    }
  }

  @Override
  public long removeAll() {
    enter();
    try {
      List<Object> r = call(Script.REMOVEALL, null, str(settings.length()));
      if ((Long) r.get(1) == 1) {
        signal(roomCond);
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
      Map<byte[], byte[]> consumers = get(shared.async.hgetall(RedisKeys.b(keys.consumers)),
          "stats");
      byte[][] std = keys.script(null);
      byte[][] all = Arrays.copyOf(std, std.length + consumers.size());
      int i = std.length;
      for (byte[] c : consumers.keySet()) {
        all[i++] = RedisKeys.b(keys.inflight(utf8(c)));
      }
      List<Object> r = awaitKeys(Script.STATS, all, str(clock.millis()));
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
      List<byte[]> members = get(shared.async.zrevrange(RedisKeys.b(keys.dead), Math.max(0, offset),
          (long) Math.max(0, offset) + limit - 1), "listDead");
      List<DeadLetter> out = new ArrayList<>(members.size());
      for (byte[] m : members) {
        out.add(deadLetter(m));
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
    return replay(ids.stream().map(RedisQueue::str).toArray(byte[][]::new));
  }

  @Override
  public long replayAllDead() {
    return replay(new byte[][] {str("all")});
  }

  private long replay(byte[][] args) {
    enter();
    try {
      long n = awaitLong(Script.REPLAY, null, args);
      if (n > 0) {
        signal(wakeCond);
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
      return awaitLong(Script.PURGE, null, ids.stream().map(RedisQueue::str).toArray(byte[][]::new));
    } finally {
      exit();
    }
  }

  @Override
  public long purgeAllDead() {
    enter();
    try {
      return awaitLong(Script.PURGE, null, str("all"));
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
      String c = consumer;
      if (c != null) {
        // items still in flight at close count as a crash (LevelDB recovers them at the next
        // open the same way); the consumer leaves the registry at once instead of timing out
        try {
          List<Object> r = callOnce(Script.RECOVER, c, str(c), str(settings.maxRecoveries()),
              str(clock.millis()), str(settings.deadLetterLength()), str("1"));
          logRecovered(c, "closed", r);
        } catch (RuntimeException e) {
          log.warn("queue \"{}\": could not unregister consumer {} at close ({}); its in-flight "
              + "items are recovered after CONSUMER_TIMEOUT", name, c, e.getMessage());
        }
      }
      Thread w;
      lock.lock();
      try {
        w = roomWatcher;
      } finally {
        lock.unlock();
      }
      if (w != null) {
        try {
          w.join(2_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    } finally {
      ops.writeLock().unlock();
      shared.release();
    }
  }

  // ───────────────────────────── consumers ─────────────────────────────

  private void ensureRegistered() {
    if (consumer != null) {
      return;
    }
    synchronized (registration) {
      if (consumer != null) {
        return;
      }
      String id = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
      awaitLong(Script.REGISTER, id, str(id), str(display), str(ttlMs));
      boolean first = tasks.isEmpty();
      // reap once right away: a process restarting after a crash gets its old items back before
      // its first claim instead of one CONSUMER_TIMEOUT later
      reapNow(id);
      consumer = id;
      log.debug("queue \"{}\": registered consumer {} ({}) at {}", name, id, display, where());
      if (first) {
        startTasks();
      }
    }
  }

  private void startTasks() {
    long beat = beatMs();
    synchronized (tasks) {
      nextBeatAt = clock.millis() + beat;
      tasks.add(config.scheduler().scheduleWithFixedDelay(this::beat, beat, beat,
          TimeUnit.MILLISECONDS));
      scheduleReaper();
    }
  }

  private void stopTasks() {
    synchronized (tasks) {
      for (ScheduledFuture<?> t : tasks) {
        t.cancel(false);
      }
      tasks.clear();
    }
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
  private void beat() {
    String c = consumer;
    if (closed || c == null) {
      return;
    }
    synchronized (tasks) {
      nextBeatAt = clock.millis() + beatMs();
    }
    List<String> known = new ArrayList<>(others);
    known.remove(c);
    boolean holds = held.containsValue(c);
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
    try {
      alive = shared.async.set(RedisKeys.b(keys.heartbeat(c)), str("1"),
          SetArgs.Builder.xx().px(ttlMs)).toCompletableFuture()
          .thenCompose(ok -> ok != null ? CompletableFuture.completedFuture(1L)
              : this.<Long>run(Script.HEARTBEAT, c, str(c), str(ttlMs)).toCompletableFuture());
      found = shared.async.exists(k).toCompletableFuture();
    } catch (RuntimeException e) {
      log.debug("queue \"{}\": beat of {} could not be sent: {}", name, c, e.getMessage());
      return;
    }
    alive.thenCompose(a -> {
      if (a == -1) {
        // not on Lettuce's event loop: fenced() may wait for a registration that waits for a
        // reply this very thread would deliver
        try {
          config.scheduler().execute(() -> fenced(c));
        } catch (java.util.concurrent.RejectedExecutionException closing) {
          // the manager is shutting down: nothing left to fence
        }
        return CompletableFuture.<Void>completedFuture(null);
      }
      return found.thenAccept(n -> look(c, n, w, holds, known));
    }).whenComplete((v, e) -> {
      if (e != null) {
        log.debug("queue \"{}\": beat of {} failed: {}", name, c, e.getMessage());
      }
    });
  }

  /** What the beat's {@code EXISTS} answered ({@code n}), for consumer {@code c}. */
  private void look(String c, long n, int w, boolean holds, List<String> known) {
    if (closed || !c.equals(consumer)) {
      return;
    }
    long own = n / w;
    // ready and delayed count 1 each, the in-flight hash 3
    boolean waiting = own % 3 > 0;
    boolean stray = own >= 3;
    if (waiting) {
      promote(c, false);
    } else {
      lastReadyCheckNanos = System.nanoTime();
    }
    if (holds || stray) {
      sweepAsync();
    }
    if (n % w < known.size()) {
      reap(known);
    }
  }

  /**
   * Another consumer found our heartbeat gone and recovered our items: whatever we hold is
   * someone else's now (settling it must be STALE), and we register again under a new id.
   */
  private void fenced(String c) {
    synchronized (registration) {
      if (!c.equals(consumer)) {
        return;
      }
      int dropped = 0;
      for (Map.Entry<Long, String> e : held.entrySet()) {
        if (e.getValue().equals(c) && held.remove(e.getKey(), c)) {
          dropped++;
        }
      }
      consumer = null;
      promoterHolder = false;
      log.warn("queue \"{}\": consumer {} was presumed dead (no heartbeat for {} ms) and its items "
          + "recovered elsewhere; dropping {} held deliveries (their acks will be stale) and "
          + "registering again", name, c, ttlMs, dropped);
    }
  }

  /** Hands back orphaned in-flight entries, blocking claims meanwhile (claim loop thread). */
  private void sweep(boolean blocking) {
    long stamp = sweepLock.writeLock();
    try {
      String c = consumer;
      if (c == null) {
        return;
      }
      List<Object> r = await(Script.SWEEP, c, sweepArgs(c));
      long n = (Long) r.get(0);
      logDropped(r, reportMade(r, 1));
      sweepNeeded = false;
      if (n > 0) {
        log.info("queue \"{}\": returned {} in-flight entries of consumer {} that no delivery "
            + "holds (a claim whose reply was lost) to the head", name, n, c);
        signal(wakeCond);
      }
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
    if (c == null || closed) {
      sweepLock.unlockWrite(stamp);
      return;
    }
    CompletionStage<Long> f;
    try {
      f = this.<List<Object>>run(Script.SWEEP, c, sweepArgs(c)).thenApply(r -> {
        logDropped(r, reportMade(r, 1));
        return (Long) r.get(0);
      });
    } catch (RuntimeException e) {
      sweepLock.unlockWrite(stamp);
      return;
    }
    f.whenComplete((n, e) -> {
      sweepLock.unlockWrite(stamp);
      if (e == null) {
        sweepNeeded = false;
        if (n > 0) {
          log.info("queue \"{}\": returned {} orphaned in-flight entries of consumer {} to the head",
              name, n, c);
          signal(wakeCond);
        }
      }
    });
  }

  private byte[][] heldBy(String c) {
    List<byte[]> ids = new ArrayList<>();
    for (Map.Entry<Long, String> e : held.entrySet()) {
      if (e.getValue().equals(c)) {
        ids.add(str(e.getKey()));
      }
    }
    return ids.toArray(new byte[0][]);
  }

  /**
   * Schedules the next read of the consumer registry, jittered within [0.5, 1] ×
   * CONSUMER_TIMEOUT so the consumers of a queue do not all read at once. The beats check the
   * heartbeats of the consumers it found; one registered since is checked from the read after.
   */
  private void scheduleReaper() {
    if (closed) {
      return;
    }
    long delay = (long) (ttlMs * (0.5 + 0.5 * ThreadLocalRandom.current().nextDouble()));
    synchronized (tasks) {
      tasks.removeIf(ScheduledFuture::isDone);
      try {
        tasks.add(config.scheduler().schedule(this::reaper, delay, TimeUnit.MILLISECONDS));
      } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
        // the manager is closing: no more runs
      }
    }
  }

  /** The reaper's registry read, on the scheduler: async commands only. */
  private void reaper() {
    if (closed) {
      return;
    }
    readRegistry().whenComplete((v, e) -> {
      if (e != null) {
        log.debug("queue \"{}\": reaper could not read the registry: {}", name, e.getMessage());
      }
      scheduleReaper();
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
  private void reap(List<String> known) {
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (String other : known) {
      chain = chain.thenCompose(x -> shared.async.exists(
              RedisKeys.b(keys.heartbeat(other))).toCompletableFuture())
          .thenCompose(n -> n != null && n == 1 ? CompletableFuture.<Void>completedFuture(null)
              : recover(other).toCompletableFuture().thenApply(r -> (Void) null));
    }
    chain.thenCompose(x -> readRegistry()).whenComplete((v, e) -> {
      if (e != null) {
        log.debug("queue \"{}\": reaper could not run: {}", name, e.getMessage());
      }
    });
  }

  /**
   * Reaps synchronously (at registration and from tests) every registered consumer but {@code
   * self} whose heartbeat is gone; the beats check the others from then on.
   */
  void reapNow(String self) {
    List<byte[]> all = get(shared.async.hkeys(RedisKeys.b(keys.consumers)), "reap");
    List<String> alive = new ArrayList<>(all.size());
    for (byte[] raw : all) {
      String other = utf8(raw);
      if (other.equals(self)) {
        continue;
      }
      long exists = get(shared.async.exists(RedisKeys.b(keys.heartbeat(other))), "reap");
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
        throw unavailable("recover", SharedClient.unwrap(e));
      }
    }
    others = List.copyOf(alive);
  }

  private CompletionStage<List<Object>> recover(String other) {
    return this.<List<Object>>run(Script.RECOVER, other, str(other),
        str(settings.maxRecoveries()), str(clock.millis()), str(settings.deadLetterLength()),
        str("0")).thenApply(r -> {
          logRecovered(other, "stopped heart-beating", r);
          return r;
        });
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
    logDropped(r, reportMade(r, 2));
  }

  /** The sweep's arguments: now, the dead-letter cap, then the delivery ids held under {@code c}. */
  private byte[][] sweepArgs(String c) {
    byte[][] held = heldBy(c);
    byte[][] args = new byte[held.length + 2][];
    args[0] = str(clock.millis());
    args[1] = str(settings.deadLetterLength());
    System.arraycopy(held, 0, args, 2, held.length);
    return args;
  }

  /**
   * Reports the dead letters a script made by itself (a malformed entry, a quarantine) to the
   * queue's listeners through {@link io.queuekit.spi.StoreEvents}; returns where the reply's
   * dropped pairs start.
   */
  private int reportMade(List<Object> r, int at) {
    int n = ((Long) r.get(at)).intValue();
    for (int i = 0; i < n; i++) {
      DeadLetter d = deadLetter((byte[]) r.get(at + 1 + i));
      log.warn("queue \"{}\": dead letter {}: {}", name, d.id(), d.reason());
      config.events().deadLettered(d);
    }
    return at + 1 + n;
  }

  private void logDropped(List<Object> r, int from) {
    for (int i = from; i + 1 < r.size(); i += 2) {
      log.warn("queue \"{}\": dead letter dropped at DEAD_LETTER_LENGTH={}: reason \"{}\", "
          + "payload starts {}", name, settings.deadLetterLength(), utf8(r.get(i)),
          printable((byte[]) r.get(i + 1)));
    }
  }

  /**
   * The promoter script, from a beat that found items waiting (once per heartbeat period, in every
   * instance) or, in the lease holder, at the earliest due time it knows ({@code once}). It wakes
   * one waiter when ready items have fewer tokens than waiters (a lost token), and, with delayed
   * items, takes or renews the lease and wakes one waiter once the earliest is due; that waiter's
   * claim promotes (lazily, in order). Claims bound their waits by the earliest due time they saw,
   * and a delayed item that becomes the earliest wakes a waiter so one learns it; the promoter is
   * the fallback for a waiter that knew of it and went busy or away. With nothing delayed the
   * lease is left to lapse: an idle queue runs no promoter at all.
   */
  private void promote(String c, boolean once) {
    if (closed) {
      return;
    }
    long leaseMs = Math.max(1000, ttlMs);
    byte[][] std = keys.script(c);
    byte[][] k = Arrays.copyOf(std, std.length + 1);
    // the lease follows the standard KEYS, whatever their number
    k[std.length] = RedisKeys.b(keys.promoter);
    CompletionStage<List<Object>> f;
    try {
      f = Scripts.run(shared.async, Script.PROMOTE, k, str(clock.millis()), str(c), str(leaseMs));
    } catch (RuntimeException e) {
      log.debug("queue \"{}\": promoter could not run: {}", name, e.getMessage());
      if (once) {
        ranOnce();
      }
      return;
    }
    f.toCompletableFuture().whenComplete((r, e) -> {
      if (once) {
        ranOnce();
      }
      if (e != null) {
        log.debug("queue \"{}\": promoter could not run: {}", name, e.getMessage());
        return;
      }
      lastReadyCheckNanos = System.nanoTime();
      promoterHolder = (Long) r.get(0) == 1;
      long earliest = (Long) r.get(2);
      if (earliest > clock.millis()) {
        // the holder runs again at the earliest due time if that comes before its next beat
        dueAt(earliest);
      }
    });
  }

  private void ranOnce() {
    synchronized (tasks) {
      promoterAt = Long.MAX_VALUE;
    }
  }

  /**
   * This process knows of a delayed item due at {@code due} (ms, queue clock): if it holds the
   * promoter lease and neither its next beat nor a run already planned comes first, it runs the
   * promoter once more at that time.
   */
  private void dueAt(long due) {
    if (!promoterHolder || closed || consumer == null) {
      return;
    }
    synchronized (tasks) {
      if (due >= Math.min(promoterAt, nextBeatAt)) {
        return;
      }
      promoterAt = due;
      tasks.removeIf(ScheduledFuture::isDone);
      try {
        tasks.add(config.scheduler().schedule(this::promoteOnce, Math.max(1, due - clock.millis()),
            TimeUnit.MILLISECONDS));
      } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
        promoterAt = Long.MAX_VALUE;
      }
    }
  }

  private void promoteOnce() {
    String c = consumer;
    if (closed || c == null) {
      ranOnce();
      return;
    }
    promote(c, true);
  }

  // ───────────────────────────── room watcher ─────────────────────────────

  /** Called with {@link #lock} held. */
  private void startRoomWatcher() {
    if (roomWatcher != null) {
      return;
    }
    Thread t = new Thread(this::watchRoom, "queuekit-" + name + "-room");
    t.setDaemon(true);
    roomWatcher = t;
    t.start();
  }

  /** Blocks on the room list while producers of this process wait, signalling them per token. */
  private void watchRoom() {
    byte[] meta = RedisKeys.b(keys.meta);
    boolean counted = false;
    try {
      shared.async.hincrby(meta, str("roomwatchers"), 1).get(shared.commandTimeout.toMillis(),
          TimeUnit.MILLISECONDS);
      counted = true;
      while (true) {
        StatefulConnection<byte[], byte[]> c;
        lock.lock();
        try {
          if (closed || roomWaiters == 0) {
            return;
          }
          c = roomConn;
        } finally {
          lock.unlock();
        }
        try {
          if (c == null) {
            c = shared.dedicated();
            lock.lock();
            try {
              if (closed) {
                c.closeAsync();
                return;
              }
              roomConn = c;
            } finally {
              lock.unlock();
            }
          }
          SharedClient.commands(c).blpop(Math.max(0.01, blockTimeout.toMillis() / 1000.0),
              RedisKeys.b(keys.room)).get(blockTimeout.plus(shared.commandTimeout).toMillis(),
              TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | RedisException e) {
          if (closed) {
            return;
          }
          lock.lock();
          try {
            roomConn = null;
          } finally {
            lock.unlock();
          }
          if (c != null) {
            c.closeAsync();
          }
          awaitLocal(roomCond, TimeUnit.MILLISECONDS.toNanos(BACKOFF_MIN_MS));
        }
        // token or timeout: producers re-check either way (at least once per blocking timeout)
        signal(roomCond);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.debug("queue \"{}\": room watcher stopped: {}", name, e.getMessage());
    } finally {
      StatefulConnection<byte[], byte[]> c;
      lock.lock();
      try {
        roomWatcher = null;
        c = roomConn;
        roomConn = null;
        // a producer that started waiting as this watcher left needs a new watcher
        if (!closed && roomWaiters > 0) {
          startRoomWatcher();
        }
      } finally {
        lock.unlock();
      }
      if (c != null) {
        c.closeAsync();
      }
      if (counted) {
        shared.async.hincrby(meta, str("roomwatchers"), -1);
      }
    }
  }

  private void closeBlockingConnections() {
    StatefulConnection<byte[], byte[]> a;
    StatefulConnection<byte[], byte[]> b;
    lock.lock();
    try {
      a = claimConn;
      b = roomConn;
      claimConn = null;
      roomConn = null;
    } finally {
      lock.unlock();
    }
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  // ───────────────────────────── test hooks ─────────────────────────────

  /** The consumer id this instance claims under, or null before its first claim. */
  String consumerId() {
    return consumer;
  }

  RedisKeys keys() {
    return keys;
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
      String c = consumer;
      if (c != null) {
        get(shared.async.del(RedisKeys.b(keys.heartbeat(c))), "kill");
        // forced: a heartbeat this instance sent just before dying may land after the delete and
        // make the reaper's re-check see it alive; a dead process sends none, so force is exact
        List<Object> r = callOnce(Script.RECOVER, c, str(c), str(settings.maxRecoveries()),
            str(clock.millis()), str(settings.deadLetterLength()), str("1"));
        logRecovered(c, "was killed", r);
      }
      reapNow(c);
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
      roomCond.signalAll();
    } finally {
      lock.unlock();
    }
    closeBlockingConnections();
    ops.writeLock().lock();
    try {
      stopTasks();
    } catch (RuntimeException | Error e) {
      ops.writeLock().unlock();
      throw e;
    }
    return true;
  }

  /** Thrown inside this class for a Redis that cannot be reached or did not answer in time. */
  private static final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unavailable(Throwable cause) {
      super(cause);
    }
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

  private void signal(Condition c) {
    lock.lock();
    try {
      c.signalAll();
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

  private long nextBackoff() {
    synchronized (this) {
      long b = backoffMs;
      backoffMs = Math.min(BACKOFF_MAX_MS, backoffMs * 2);
      return b;
    }
  }

  private void outageStarted(Throwable cause) {
    if (!outage) {
      outage = true;
      log.warn("queue \"{}\": Redis at {} is unavailable, retrying with backoff up to {} ms: {}",
          name, where(), BACKOFF_MAX_MS, SharedClient.rootMessage(cause));
    }
  }

  private void outageEnded() {
    if (outage) {
      outage = false;
      log.info("queue \"{}\": Redis at {} is reachable again", name, where());
    }
    synchronized (this) {
      backoffMs = BACKOFF_MIN_MS;
    }
  }

  private <T> CompletionStage<T> run(Script s, String c, byte[]... args) {
    return Scripts.run(shared.async, s, keys.script(c), args);
  }

  /** Runs a script, waiting for the reply; Redis errors become queue exceptions. */
  private List<Object> call(Script s, String c, byte[]... args) {
    try {
      return await(s, c, args);
    } catch (Unavailable e) {
      throw unavailable(s.name().toLowerCase(java.util.Locale.ROOT), e.getCause());
    }
  }

  private List<Object> callOnce(Script s, String c, byte[]... args) {
    return call(s, c, args);
  }

  /** Retries a push while Redis is unreachable, until the deadline (PUSH_TIMEOUT). */
  private List<Object> callRetrying(Script s, byte[][] args, long deadline) {
    long backoff = BACKOFF_MIN_MS;
    while (true) {
      try {
        return await(s, null, args);
      } catch (Unavailable e) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0 || closed) {
          throw unavailable("push", e.getCause());
        }
        try {
          Thread.sleep(Math.min(backoff, TimeUnit.NANOSECONDS.toMillis(remaining) + 1));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new QueueInterruptedException(name, ie);
        }
        backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
      }
    }
  }

  private long awaitLong(Script s, String c, byte[]... args) {
    try {
      Object v = awaitRaw(s, keys.script(c), args);
      return (Long) v;
    } catch (Unavailable e) {
      throw unavailable(s.name().toLowerCase(java.util.Locale.ROOT), e.getCause());
    }
  }

  @SuppressWarnings("unchecked")
  private List<Object> await(Script s, String c, byte[]... args) {
    return (List<Object>) awaitRaw(s, keys.script(c), args);
  }

  @SuppressWarnings("unchecked")
  private List<Object> awaitKeys(Script s, byte[][] allKeys, byte[]... args) {
    try {
      return (List<Object>) awaitRaw(s, allKeys, args);
    } catch (Unavailable e) {
      throw unavailable("stats", e.getCause());
    }
  }

  private Object awaitRaw(Script s, byte[][] k, byte[]... args) {
    CompletableFuture<Object> f = Scripts.<Object>run(shared.async, s, k, args).toCompletableFuture();
    return uninterruptibly(f, s.name().toLowerCase(java.util.Locale.ROOT));
  }

  private <T> T get(RedisFuture<T> f, String op) {
    try {
      return uninterruptibly(f.toCompletableFuture(), op);
    } catch (Unavailable e) {
      throw unavailable(op, e.getCause());
    }
  }

  /**
   * Waits for a reply without giving up on interrupts (a store step, once sent, is not undone by
   * an interrupt; the flag is restored afterwards). Store errors are mapped here.
   */
  private <T> T uninterruptibly(CompletableFuture<T> f, String op) {
    boolean interrupted = false;
    long deadline = System.nanoTime() + shared.commandTimeout.toNanos() + 1_000_000_000L;
    try {
      while (true) {
        try {
          long left = deadline - System.nanoTime();
          return f.get(Math.max(0, left), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (TimeoutException e) {
          f.cancel(false);
          throw new Unavailable(new io.lettuce.core.RedisCommandTimeoutException(
              "no reply to " + op + " within " + shared.commandTimeout.toMillis() + " ms"));
        } catch (ExecutionException e) {
          throw mapError(op, e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private RuntimeException mapError(String op, Throwable e) {
    if (e instanceof RedisCommandExecutionException) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("WRONGTYPE")) {
        return wrongTypeNow(e);
      }
      if (m.startsWith("LOADING") || m.startsWith("BUSY") || m.startsWith("MASTERDOWN")
          || m.startsWith("CLUSTERDOWN") || m.startsWith("TRYAGAIN") || m.startsWith("READONLY")
          || m.startsWith("NOREPLICAS") || m.startsWith("UNBLOCKED")) {
        return new Unavailable(e);
      }
      if (SharedClient.authFailure(e)) {
        return new QueueUnavailableException("queue \"" + name + "\": Redis at " + where()
            + " refused the credentials during " + op + ": " + m, e);
      }
      return new QueueException("queue \"" + name + "\": Redis at " + where() + " failed " + op
          + " on keys " + keys.tag + ":*: " + m, e);
    }
    if (e instanceof QueueException) {
      return (QueueException) e;
    }
    return new Unavailable(e);
  }

  /** A script hit a key of another type: find which and say so. */
  private RuntimeException wrongTypeNow(Throwable cause) {
    try {
      List<Object> r = openStep();
      if ((Long) r.get(0) == 1) {
        QueueConfigException e = wrongType(((Long) r.get(1)).intValue(), utf8(r.get(2)));
        e.addSuppressed(cause);
        return e;
      }
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
    return new QueueConfigException("queue \"" + name + "\": a Redis key of queue " + keys.tag
        + " at " + where() + " holds the wrong type: " + cause.getMessage(), cause);
  }

  private QueueUnavailableException unavailable(String op, Throwable cause) {
    return new QueueUnavailableException("queue \"" + name + "\": Redis at " + where()
        + " is unavailable (" + op + "): " + SharedClient.rootMessage(cause), cause);
  }

  private Delivery delivery(long did, byte[] entry) {
    int[] c = colons(entry, 4);
    int dc = Integer.parseInt(ascii(entry, 0, c[0]));
    int rc = Integer.parseInt(ascii(entry, c[0] + 1, c[1]));
    long first = Long.parseLong(ascii(entry, c[1] + 1, c[2]));
    byte[] payload = Arrays.copyOfRange(entry, c[3] + 1, entry.length);
    return new Delivery(did, payload, dc, rc, Instant.ofEpochMilli(first));
  }

  private static DeadLetter deadLetter(byte[] m) {
    int[] c = colons(m, 7);
    long id = Long.parseLong(ascii(m, 0, c[0]));
    int dc = Integer.parseInt(ascii(m, c[0] + 1, c[1]));
    int rc = Integer.parseInt(ascii(m, c[1] + 1, c[2]));
    long first = Long.parseLong(ascii(m, c[2] + 1, c[3]));
    long deadAt = Long.parseLong(ascii(m, c[3] + 1, c[4]));
    int rlen = Integer.parseInt(ascii(m, c[5] + 1, c[6]));
    int r0 = c[6] + 1;
    String reason = new String(m, r0, rlen, StandardCharsets.UTF_8);
    byte[] payload = Arrays.copyOfRange(m, r0 + rlen, m.length);
    return new DeadLetter(id, payload, reason, dc, rc, Instant.ofEpochMilli(first),
        Instant.ofEpochMilli(deadAt));
  }

  private static int[] colons(byte[] b, int n) {
    int[] at = new int[n];
    int k = 0;
    for (int i = 0; i < b.length && k < n; i++) {
      if (b[i] == ':') {
        at[k++] = i;
      }
    }
    if (k < n) {
      throw new IllegalStateException("malformed queue entry: expected " + n + " header fields");
    }
    return at;
  }

  private static String ascii(byte[] b, int from, int to) {
    return new String(b, from, to - from, StandardCharsets.US_ASCII);
  }

  private static String printable(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(x >= 32 && x < 127 ? (char) x : '.');
    }
    return sb.toString();
  }

  static byte[] str(Object o) {
    return String.valueOf(o).getBytes(StandardCharsets.UTF_8);
  }

  private static String utf8(Object o) {
    return new String((byte[]) o, StandardCharsets.UTF_8);
  }
}
