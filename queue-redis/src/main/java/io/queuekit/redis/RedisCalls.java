package io.queuekit.redis;

import static io.queuekit.redis.Entries.str;
import static io.queuekit.redis.Entries.utf8;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueException;
import io.queuekit.QueueSettings;
import io.queuekit.QueueUnavailableException;
import io.queuekit.internal.OutageBackoff;
import io.queuekit.internal.Previews;
import io.queuekit.redis.Scripts.Script;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.StoreEvents;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one call path of a {@link RedisQueue}: runs a script or a plain command, waits for the
 * reply, maps Redis errors, retries once with backoff where a caller asks, and reports the dead
 * letters a script made by itself.
 *
 * <p>Errors: a key of the wrong type becomes a {@link QueueConfigException} naming the key (found
 * by running the open script's checks again); a server that is loading, busy, read-only or down,
 * a lost connection and a command timeout are {@link Unavailable} inside the backend and {@link
 * QueueUnavailableException} (naming the masked address and the step) at its edge; refused
 * credentials are a {@link QueueUnavailableException}; any other Redis error is a {@link
 * QueueException} naming the keys. Waiting for a reply ignores interrupts: a step once sent is
 * not undone by one (the flag is restored afterwards).
 *
 * <p>Backoff (docs/DESIGN.md §3.7): from 100 ms doubling to 5 s. A push retries with its own
 * {@link Backoff} until its deadline ({@code PUSH_TIMEOUT}); the claim loop uses {@link #outage},
 * which also logs once when an outage starts and once when it ends.
 *
 * <p><b>Thread-safety:</b> safe for any number of threads. <b>Ordering, durability:</b> those of
 * the scripts it runs; it adds none.
 */
final class RedisCalls {
  private static final Logger log = LoggerFactory.getLogger(RedisQueue.class);

  static final long BACKOFF_MIN_MS = TimeUnit.NANOSECONDS.toMillis(OutageBackoff.MIN_NANOS);
  static final long BACKOFF_MAX_MS = TimeUnit.NANOSECONDS.toMillis(OutageBackoff.MAX_NANOS);

  private final String name;
  private final QueueSettings settings;
  private final SharedClient shared;
  private final RedisKeys keys;
  private final StoreEvents events;
  private final BooleanSupplier closed;
  private final LongConsumer pause;
  /** The claim loop's backoff while Redis is unreachable. */
  final Outage outage = new Outage();
  /** {@code DURABILITY}: the wait after each push or settle. */
  final DurableWrites durable;

  /**
   * @param pause waits up to the given nanoseconds, returning early when the queue closes
   */
  RedisCalls(String name, QueueSettings settings, SharedClient shared,
      RedisKeys keys, StoreEvents events, BooleanSupplier closed, LongConsumer pause) {
    this.name = name;
    this.settings = settings;
    this.shared = shared;
    this.keys = keys;
    this.events = events;
    this.closed = closed;
    this.pause = pause;
    this.durable = new DurableWrites(name, settings.durability(), shared);
  }

  /** Thrown inside the backend for a Redis that cannot be reached or did not answer in time. */
  static final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unavailable(Throwable cause) {
      super(cause);
    }
  }

  /** Doubles from {@link #BACKOFF_MIN_MS} to {@link #BACKOFF_MAX_MS} ({@link OutageBackoff}). */
  static class Backoff {
    private long lastNanos;

    synchronized long next() {
      lastNanos = OutageBackoff.next(lastNanos);
      return TimeUnit.NANOSECONDS.toMillis(lastNanos);
    }

    synchronized void reset() {
      lastNanos = 0;
    }
  }

  /** A {@link Backoff} that logs when an outage starts and ends. */
  final class Outage extends Backoff {
    private volatile boolean on;

    void started(Throwable cause) {
      if (!on) {
        on = true;
        log.warn("queue \"{}\": Redis at {} is unavailable, retrying with backoff up to {} ms: {}",
            name, where(), BACKOFF_MAX_MS, SharedClient.rootMessage(cause));
      }
    }

    void ended() {
      if (on) {
        on = false;
        log.info("queue \"{}\": Redis at {} is reachable again", name, where());
      }
      reset();
    }
  }

  /** Starts a script ({@code c}: the consumer whose in-flight hash it names, or null). */
  <T> CompletionStage<T> run(Script s, String c, byte[]... args) {
    return runKeys(s, keys.script(c), args);
  }

  /** Starts a script with the given KEYS. */
  <T> CompletionStage<T> runKeys(Script s, byte[][] k, byte[]... args) {
    return Scripts.run(shared.async, s, k, args);
  }

  /** Runs a script and waits; an unreachable Redis is {@link Unavailable}, for callers that retry. */
  @SuppressWarnings("unchecked")
  <T> T attemptKeys(Script s, byte[][] k, byte[]... args) {
    CompletableFuture<Object> f = Scripts.<Object>run(shared.async, s, k, args).toCompletableFuture();
    return (T) uninterruptibly(f, op(s));
  }

  /**
   * Starts script {@code s} on connection {@code on}, queued behind what was already sent there
   * (the wake waiter's short {@code BLPOP}: see {@link WakeWaiter#awaitThen}).
   */
  <T> CompletableFuture<T> runOn(RedisClusterAsyncCommands<byte[], byte[]> on, Script s, String c,
      byte[]... args) {
    return Scripts.<T>run(on, s, keys.script(c), args).toCompletableFuture();
  }

  /**
   * Waits for the reply of script {@code s} sent behind a blocking command of up to {@code
   * blockNanos}: that long plus what {@link #attempt} allows a reply. Unlike it, an interrupt ends
   * the wait: the caller closes the connection, so the reply is lost either way.
   *
   * @throws InterruptedException when interrupted
   * @throws Unavailable when Redis cannot be reached or the reply did not come in time
   */
  <T> T awaitBehind(CompletableFuture<T> f, Script s, long blockNanos)
      throws InterruptedException {
    long limit = blockNanos + shared.commandTimeout.toNanos() + 1_000_000_000L;
    return reply(f, op(s), System.nanoTime() + limit, TimeUnit.NANOSECONDS.toMillis(limit));
  }

  /**
   * Waits for {@code f} until {@code deadline} (System.nanoTime): a timeout is {@link
   * Unavailable} saying "no reply within {@code shownMs} ms", a Redis error is mapped ({@link
   * #mapError}).
   */
  private <T> T reply(CompletableFuture<T> f, String op, long deadline, long shownMs)
      throws InterruptedException {
    try {
      return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new Unavailable(new RedisCommandTimeoutException(
          "no reply to " + op + " within " + shownMs + " ms"));
    } catch (ExecutionException e) {
      throw mapError(op, e.getCause());
    }
  }

  /** Waits for the reply of script {@code s} started earlier ({@link #run}), as {@link #attempt}. */
  <T> T await(CompletableFuture<T> f, Script s) {
    return uninterruptibly(f, op(s));
  }

  <T> T attempt(Script s, String c, byte[]... args) {
    return attemptKeys(s, keys.script(c), args);
  }

  /**
   * Runs a script and waits (and for a push or settle, waits as {@code DURABILITY} asks); an
   * unreachable Redis is a {@link QueueUnavailableException}.
   */
  <T> T callKeys(Script s, byte[][] k, byte[]... args) {
    T r;
    long connection = shared.reconnects();
    try {
      r = attemptKeys(s, k, args);
    } catch (Unavailable e) {
      throw unavailable(op(s), e.getCause());
    }
    durable.confirm(this, s, connection);
    return r;
  }

  <T> T call(Script s, String c, byte[]... args) {
    return callKeys(s, keys.script(c), args);
  }

  /**
   * Runs a script, retrying while Redis is unreachable with a {@link Backoff} until {@code
   * deadline} (System.nanoTime) or the queue closes, then a {@link QueueUnavailableException}.
   */
  <T> T callRetrying(Script s, String c, long deadline, byte[]... args) {
    return retrying(s, deadline, () -> attempt(s, c, args));
  }

  /**
   * Whether a simple queue's push of ready items may go as one {@link PushTransaction}: not on
   * Cluster, and not with {@code DURABILITY}, whose wait counts the writes of the connection
   * that asks (the shared one).
   */
  boolean pushesInTransaction() {
    return durable.none() && shared.transactional();
  }

  /**
   * Pushes {@code pack} (its entries, {@link Packs}) in one {@link PushTransaction} ({@code
   * pushed.lua}'s ARGV in {@code args}, but the pack's id), retried as {@link #callRetrying}, a
   * transaction connection that cannot be opened included; returns pushed.lua's reply, {admitted,
   * full 0|1}.
   */
  List<Object> pushInTransaction(byte[] pack, long deadline, byte[]... args) {
    byte[] packs = RedisKeys.b(keys.packs);
    // A NOSCRIPT (the server lost its scripts) answers inside EXEC, after the pack's HSET: that
    // pack is stray (nothing refers to it), and every transaction sent after it deletes it, until
    // one is answered (then its EXEC ran the delete too). The push after a NOSCRIPT runs the
    // script by its body, which the server caches again.
    byte[][] stray = new byte[1][];
    return retrying(Script.PUSHED, deadline, () -> {
      PushTransaction tx;
      try {
        tx = shared.transactions();
      } catch (RedisConnectionException e) {
        return uninterruptibly(CompletableFuture.failedFuture(e), op(Script.PUSHED));
      }
      byte[] id = tx.newPackId();
      CompletableFuture<List<Object>> f = tx.push(keys.script(null), packs, stray[0], id, pack,
          args);
      if (uninterruptibly(f.handle((r, e) -> e != null && Scripts.noScript(e)),
          op(Script.PUSHED))) {
        stray[0] = id;
        f = tx.push(keys.script(null), packs, stray[0], tx.newPackId(), pack, args);
      }
      List<Object> r = uninterruptibly(f, op(Script.PUSHED));
      stray[0] = null;
      return r;
    });
  }

  private <T> T retrying(Script s, long deadline, Supplier<T> attempt) {
    Backoff backoff = new Backoff();
    while (true) {
      try {
        long connection = shared.reconnects();
        T r = attempt.get();
        // never Unavailable (so never retried): a write that ran unconfirmed must not run again
        durable.confirm(this, s, connection);
        return r;
      } catch (Unavailable e) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0 || closed.getAsBoolean()) {
          throw unavailable(op(s), e.getCause());
        }
        pause.accept(Math.min(TimeUnit.MILLISECONDS.toNanos(backoff.next()), remaining + 1));
      }
    }
  }

  /**
   * The pack stored under {@code id} (a claim of one pack names it), or null when there is none.
   *
   * @throws QueueUnavailableException when Redis cannot be reached
   */
  byte[] pack(String id) {
    return pack(readPack(id));
  }

  /** Waits for a {@link #readPack} sent earlier; as {@link #pack(String)}. */
  byte[] pack(RedisFuture<byte[]> read) {
    return get(read, "HGET " + keys.packs);
  }

  /** Sends the {@code HGET} of pack {@code id}; {@link #get} waits for its reply. */
  RedisFuture<byte[]> readPack(String id) {
    return shared.async.hget(RedisKeys.b(keys.packs), RedisKeys.b(id));
  }

  /** Waits for a plain command's reply; an unreachable Redis is a {@link QueueUnavailableException}. */
  <T> T get(RedisFuture<T> f, String op) {
    try {
      return uninterruptibly(f.toCompletableFuture(), op);
    } catch (Unavailable e) {
      throw unavailable(op, e.getCause());
    }
  }

  /** Waits for a reply without giving up on interrupts (the flag is restored afterwards). */
  private <T> T uninterruptibly(CompletableFuture<T> f, String op) {
    boolean interrupted = false;
    long deadline = System.nanoTime() + shared.commandTimeout.toNanos() + 1_000_000_000L;
    try {
      while (true) {
        try {
          return reply(f, op, deadline, shared.commandTimeout.toMillis());
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Whether an error reply says the server cannot serve now but will (loading, busy, failing
   * over, a read-only replica): an outage, retried, rather than a fault.
   */
  static boolean transientReply(String m) {
    return m.startsWith("LOADING") || m.startsWith("BUSY") || m.startsWith("MASTERDOWN")
        || m.startsWith("CLUSTERDOWN") || m.startsWith("TRYAGAIN") || m.startsWith("READONLY")
        || m.startsWith("NOREPLICAS") || m.startsWith("UNBLOCKED");
  }

  private RuntimeException mapError(String op, Throwable e) {
    if (e instanceof RedisCommandExecutionException) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("WRONGTYPE")) {
        return wrongTypeNow(e);
      }
      if (transientReply(m)) {
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

  /**
   * The open script's checks on the queue as it is stored (for a wrong-type diagnosis): never
   * creates it, nor records a flavour.
   */
  List<Object> openStep() {
    return openStep("", true);
  }

  /**
   * One run of the open script: checks, and at most one migration step (see open.lua).
   *
   * @param flavour {@code simple}, {@code unique}, or empty for the stored one
   * @param existing whether an absent queue is refused (and not created)
   */
  List<Object> openStep(String flavour, boolean existing) {
    return callKeys(Script.OPEN, keys.open(), str(RedisLayout.LAYOUT_VERSION), str(flavour),
        str(RedisLayout.MIGRATION_STEP), str(existing ? "1" : "0"));
  }

  /**
   * The open script found the key at 1-based {@code index} of its {@code KEYS} holding {@code
   * actual}: names the key, its role and the type it should hold (prelude.lua's {@code TYPES},
   * which the script checked it against).
   */
  QueueConfigException wrongType(int index, String actual) {
    String key = keys.name(index);
    if (key == null) {
      // not one of the open script's keys: a script out of step with this client
      return new QueueConfigException("queue \"" + name + "\": a Redis key of queue " + keys.tag
          + " at " + where() + " (the open script's key " + index + ", which this version does "
          + "not know) holds a " + actual + " where the queue keeps another type; another "
          + "application uses this key: choose another QUEUE_NAME or CONN_STR prefix");
    }
    return new QueueConfigException("queue \"" + name + "\": Redis key " + key
        + " at " + where() + " holds a " + actual + " where the queue keeps its "
        + RedisKeys.role(index) + " " + RedisKeys.type(index) + "; another application uses "
        + "this key: choose another QUEUE_NAME or CONN_STR prefix, or delete the key");
  }

  QueueUnavailableException unavailable(String op, Throwable cause) {
    return new QueueUnavailableException("queue \"" + name + "\": Redis at " + where()
        + " is unavailable (" + op + "): " + SharedClient.rootMessage(cause), cause);
  }

  /** The server's address, password masked. */
  String where() {
    return shared.conn.masked();
  }

  private static String op(Script s) {
    return s.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Reports the dead letters a script made by itself (a malformed entry, a quarantine) to the
   * queue's listeners through {@link StoreEvents}; returns where the reply's dropped pairs start.
   */
  int reportMade(List<Object> r, int at) {
    int n = ((Long) r.get(at)).intValue();
    for (int i = 0; i < n; i++) {
      DeadLetter d = Entries.deadLetter((byte[]) r.get(at + 1 + i));
      log.warn("queue \"{}\": dead letter {}: {}", name, d.id(), Previews.reason(d.reason()));
      events.deadLettered(d);
    }
    return at + 1 + n;
  }

  /** Logs the dead letters a script dropped at {@code DEAD_LETTER_LENGTH}, from {@code from}. */
  void logDropped(List<Object> r, int from) {
    for (int i = from; i + 1 < r.size(); i += 2) {
      log.warn("queue \"{}\": dead letter dropped at DEAD_LETTER_LENGTH={}: reason \"{}\", "
          + "payload starts {}", name, settings.deadLetterLength(),
          Previews.reason(utf8(r.get(i))),
          Previews.of((byte[]) r.get(i + 1)));
    }
  }

  /** {@link #reportMade} then {@link #logDropped} after it. */
  void report(List<Object> r, int at) {
    logDropped(r, reportMade(r, at));
  }
}
