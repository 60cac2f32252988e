package io.queuekit.redis;

import static io.queuekit.redis.Entries.str;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.queuekit.QueueInterruptedException;
import io.queuekit.redis.RedisCalls.Unavailable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * The wake waiter of a {@link RedisQueue}: waits for a wake token by {@code BLPOP T:wake} on one
 * blocking connection of its own, one thread at a time; other claimers of the instance wait in
 * process meanwhile and are signalled when it returns (docs/DESIGN.md §3.7).
 *
 * <p>Tokens cover what is claimable: every step that makes items ready adds tokens (capped at the
 * registered waiters), and a claim that leaves items ready tops them up. Tokens are hints: a
 * waiter that wakes to nothing claims and waits again. A waiter that leaves a {@code BLPOP}
 * (interrupted, timed out) closes its connection, so the command cannot take a token later and
 * drop it, and gives back a token it took that nobody acted on.
 *
 * <p><b>Thread-safety:</b> safe for any number of threads; one blocks in Redis at a time.
 * <b>Ordering:</b> none between waiters. <b>Durability:</b> tokens live in Redis; a token lost
 * with a closed connection is made up by the next beat (at most one heartbeat period).
 */
final class WakeWaiter {
  private final String name;
  private final SharedClient shared;
  private final RedisKeys keys;
  private final BooleanSupplier closed;
  private final LongConsumer awaitLocal;
  private final Runnable signalLocal;
  private final ReentrantLock blockLock = new ReentrantLock();
  /** The blocking connection; guarded by this. */
  private StatefulConnection<byte[], byte[]> conn;

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
    RedisFuture<KeyValue<byte[], byte[]>> f = null;
    try {
      StatefulConnection<byte[], byte[]> c;
      synchronized (this) {
        if (closed.getAsBoolean()) {
          return true;
        }
        c = conn;
      }
      if (c == null) {
        c = connect();
        synchronized (this) {
          if (closed.getAsBoolean()) {
            c.closeAsync();
            return true;
          }
          conn = c;
        }
      }
      double seconds = Math.max(0.01, nanos / 1e9);
      f = SharedClient.commands(c).blpop(seconds, RedisKeys.b(keys.wake));
      return f.get(nanos + shared.commandTimeout.toNanos(), TimeUnit.NANOSECONDS) != null;
    } catch (InterruptedException e) {
      abandon(f);
      Thread.currentThread().interrupt();
      throw new QueueInterruptedException(name, e);
    } catch (ExecutionException | TimeoutException e) {
      if (!closed.getAsBoolean()) {
        abandon(f);
        throw new Unavailable(SharedClient.unwrap(e));
      }
      return true;
    } catch (RedisException e) {
      if (!closed.getAsBoolean()) {
        abandon(f);
        throw new Unavailable(e);
      }
      return true;
    } finally {
      blockLock.unlock();
      signalLocal.run();
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
   * A blocking command whose waiter left would still take the next token from Redis and drop
   * it: close its connection so it cannot, and give back a token it took that nobody acted on.
   */
  private void abandon(RedisFuture<KeyValue<byte[], byte[]>> f) {
    StatefulConnection<byte[], byte[]> c;
    synchronized (this) {
      c = conn;
      conn = null;
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
  }
}
