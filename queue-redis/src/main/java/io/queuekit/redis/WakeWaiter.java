package io.queuekit.redis;

import static io.queuekit.redis.Entries.str;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.queuekit.QueueInterruptedException;
import io.queuekit.redis.RedisCalls.Unavailable;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * The wake waiter of a {@link RedisQueue}: waits for a wake token by {@code BLPOP T:wake} on one
 * blocking connection of its own, one thread at a time; other claimers of the instance wait in
 * process meanwhile and are signalled when it returns (docs/DESIGN.md §3.7).
 *
 * <p>The {@code BLPOP} is long ({@value #LONG_BLOCK_SECONDS} s) and outlives the claim wait that
 * sent it: a wait that runs out leaves it blocked in Redis, and the next wait takes it over, so
 * an idle waiter costs one command per {@value #LONG_BLOCK_SECONDS} s, not one per claim wait. A
 * token it takes while no wait is attached (the claim loop busy handing out items) is pushed
 * back at once for another waiter. Closing the connection (at close) unblocks it. While items
 * trickle in, a wait may instead send a short {@code BLPOP} with the claim script pipelined
 * behind it ({@link #awaitThen}).
 *
 * <p>Tokens cover what is claimable: every step that makes items ready adds tokens (capped at the
 * registered waiters), and a claim that leaves items ready tops them up. Tokens are hints: a
 * waiter that wakes to nothing claims and waits again. A {@code BLPOP} that failed (an outage, a
 * client timeout) closes its connection, so the command cannot take a token later and drop it,
 * and gives back a token it took that nobody acted on.
 *
 * <p><b>Thread-safety:</b> safe for any number of threads; one blocks in Redis at a time.
 * <b>Ordering:</b> none between waiters. <b>Durability:</b> tokens live in Redis; a token lost
 * with a closed connection is made up by the next beat (at most one heartbeat period).
 */
final class WakeWaiter {
  static final int LONG_BLOCK_SECONDS = 60;

  private final String name;
  private final SharedClient shared;
  private final RedisKeys keys;
  private final BooleanSupplier closed;
  private final LongConsumer awaitLocal;
  private final Runnable signalLocal;
  private final ReentrantLock blockLock = new ReentrantLock();
  /** The blocking connection; guarded by this. */
  private StatefulConnection<byte[], byte[]> conn;
  /** The BLPOP sent and not yet taken over by a wait that saw it complete (set under blockLock). */
  private volatile CompletableFuture<KeyValue<byte[], byte[]>> pending;

  /**
   * @param awaitLocal waits in process up to the given nanoseconds for {@code signalLocal}
   * @param signalLocal wakes the claimers waiting in process
   */
  WakeWaiter(String name, SharedClient shared, RedisKeys keys, BooleanSupplier closed,
      LongConsumer awaitLocal, Runnable signalLocal) {
    this.name = name;
    this.shared = shared;
    this.keys = keys;
    this.closed = closed;
    this.awaitLocal = awaitLocal;
    this.signalLocal = signalLocal;
  }

  /**
   * Waits for a wake token (one thread, on the blocking connection) or a local signal. Returns
   * false only when the blocking command timed out with no token: nothing was pushed meanwhile,
   * so the caller need not claim again before giving up.
   *
   * @throws Unavailable when Redis cannot be reached
   */
  boolean await(long nanos) {
    if (!blockLock.tryLock()) {
      awaitLocal.accept(nanos);
      return true;
    }
    CompletableFuture<KeyValue<byte[], byte[]>> f = pending;
    try {
      if (f == null) {
        StatefulConnection<byte[], byte[]> c = connection();
        if (c == null) {
          return true;
        }
        f = SharedClient.commands(c).blpop(LONG_BLOCK_SECONDS, RedisKeys.b(keys.wake))
            .toCompletableFuture();
        pending = f;
        CompletableFuture<KeyValue<byte[], byte[]>> sent = f;
        f.thenAccept(kv -> unattended(sent, kv));
      }
      KeyValue<byte[], byte[]> token;
      try {
        token = f.get(Math.max(1, nanos), TimeUnit.NANOSECONDS);
      } catch (TimeoutException stillBlocked) {
        if (!f.isDone()) {
          // no token in this wait: the BLPOP stays blocked for the next one
          return false;
        }
        token = f.getNow(null);
      }
      pending = null;
      return token != null;
    } catch (InterruptedException e) {
      // the BLPOP stays blocked: a token it takes with no wait attached is passed on
      Thread.currentThread().interrupt();
      throw new QueueInterruptedException(name, e);
    } catch (ExecutionException e) {
      pending = null;
      if (!closed.getAsBoolean()) {
        abandon();
        throw new Unavailable(SharedClient.unwrap(e));
      }
      return true;
    } catch (RedisException e) {
      pending = null;
      if (!closed.getAsBoolean()) {
        abandon();
        throw new Unavailable(e);
      }
      return true;
    } finally {
      blockLock.unlock();
      signalLocal.run();
    }
  }

  /** Waits for the reply of a command sent behind a blocking one of up to the given nanoseconds. */
  interface ReplyWait<T> {
    T await(CompletableFuture<T> reply, long blockNanos) throws InterruptedException;
  }

  /**
   * The trickle path (docs/DESIGN.md §3.7): when this thread may block in Redis and no long
   * {@code BLPOP} is pending, sends a {@code BLPOP} of at most {@code nanos} and, pipelined behind
   * it on the same connection, what {@code then} sends (the claim script): Redis runs it as soon
   * as a token comes (or the wait ends), a round trip sooner than a claim sent once the token's
   * reply is back. Returns its reply, as {@code wait} waits for it; the {@code BLPOP}'s answer does
   * not matter, since the claim looks for itself. Returns null, having sent nothing, when another
   * thread blocks or a long BLPOP is pending (the caller waits by {@link #await}).
   *
   * @throws Unavailable when Redis cannot be reached: the connection is closed, and the reply of
   *     what {@code then} sent is lost
   * @throws QueueInterruptedException when interrupted: the same
   */
  <T> T awaitThen(long nanos,
      Function<RedisClusterAsyncCommands<byte[], byte[]>, CompletableFuture<T>> then,
      ReplyWait<T> wait) {
    if (pending != null || !blockLock.tryLock()) {
      return null;
    }
    try {
      if (pending != null) {
        return null;
      }
      StatefulConnection<byte[], byte[]> c = connection();
      if (c == null) {
        return null;
      }
      RedisClusterAsyncCommands<byte[], byte[]> commands = SharedClient.commands(c);
      // decimal seconds (Redis 6+); never 0, which would block for good
      commands.blpop(Math.max(0.001, nanos / 1e9), RedisKeys.b(keys.wake));
      CompletableFuture<T> reply = then.apply(commands);
      try {
        return wait.await(reply, nanos);
      } catch (InterruptedException e) {
        abandon();
        Thread.currentThread().interrupt();
        throw new QueueInterruptedException(name, e);
      } catch (RuntimeException e) {
        if (!closed.getAsBoolean()) {
          abandon();
        }
        throw e;
      }
    } catch (RedisException e) {
      abandon();
      throw new Unavailable(e);
    } finally {
      blockLock.unlock();
      signalLocal.run();
    }
  }

  /** The blocking connection, opened if need be; null once the queue is closed. */
  private StatefulConnection<byte[], byte[]> connection() {
    StatefulConnection<byte[], byte[]> c;
    synchronized (this) {
      if (closed.getAsBoolean()) {
        return null;
      }
      c = conn;
    }
    if (c == null) {
      c = connect();
      // the client's command timeout must not end the long BLPOP
      c.setTimeout(Duration.ofSeconds(LONG_BLOCK_SECONDS).plus(shared.commandTimeout));
      synchronized (this) {
        if (closed.getAsBoolean()) {
          c.closeAsync();
          return null;
        }
        conn = c;
      }
    }
    return c;
  }

  /**
   * The long BLPOP took a token while no wait was attached (the claim loop is busy elsewhere):
   * pass it on at once, so a waiter that does wait (maybe in another process) acts on it.
   */
  private void unattended(CompletableFuture<KeyValue<byte[], byte[]>> f,
      KeyValue<byte[], byte[]> kv) {
    if (kv == null || blockLock.isHeldByCurrentThread() || !blockLock.tryLock()) {
      // no token, or a wait is attached and takes it
      return;
    }
    try {
      if (pending != f || closed.getAsBoolean()) {
        return;
      }
      pending = null;
      shared.async.rpush(RedisKeys.b(keys.wake), str("1"));
    } catch (RuntimeException e) {
      // only a hint: the beats look for ready items anyway
    } finally {
      blockLock.unlock();
    }
  }

  /** A new blocking connection; an interrupt while connecting is an interrupt, not an outage. */
  private StatefulConnection<byte[], byte[]> connect() {
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
   * A failed blocking command may still be blocked in Redis and take the next token where
   * nobody reads it: close its connection so it cannot.
   */
  private void abandon() {
    StatefulConnection<byte[], byte[]> c;
    synchronized (this) {
      c = conn;
      conn = null;
    }
    if (c != null) {
      c.closeAsync();
    }
  }

  /**
   * Closes the blocking connection (a claim blocked in BLPOP returns as soon as it closes). Call
   * after the queue is marked closed, so no new connection is kept.
   */
  void close() {
    StatefulConnection<byte[], byte[]> c;
    synchronized (this) {
      c = conn;
      conn = null;
    }
    if (c != null) {
      c.close();
    }
    CompletableFuture<KeyValue<byte[], byte[]>> f = pending;
    if (f != null && f.isDone() && !f.isCompletedExceptionally() && f.getNow(null) != null) {
      // a token the long BLPOP took that no wait acted on: another waiter may need it
      try {
        shared.async.rpush(RedisKeys.b(keys.wake), str("1"));
      } catch (RuntimeException e) {
        // only a hint: the other waiters' beats look for ready items anyway
      }
    }
  }
}
