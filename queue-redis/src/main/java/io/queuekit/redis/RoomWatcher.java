package io.queuekit.redis;

import static io.queuekit.redis.Entries.str;

import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulConnection;
import io.queuekit.QueueClosedException;
import io.queuekit.QueueInterruptedException;
import io.queuekit.internal.OutageBackoff;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room watcher of a {@link RedisQueue}: producers of this process that found the queue full
 * ({@code LENGTH}) wait on an in-process condition; while any waits, one daemon thread blocks by
 * {@code BLPOP T:room} on a connection of its own and signals them per room token or blocking
 * timeout, so they re-check at least once per blocking timeout (docs/DESIGN.md §3.7). A step that
 * frees room while {@code meta.full} is set pushes a room token; {@code meta.roomwatchers} counts
 * the watchers. The thread leaves when no producer waits; one that starts waiting as it leaves
 * starts another.
 *
 * <p><b>Thread-safety:</b> safe for any number of threads. <b>Ordering:</b> none between waiting
 * producers: each re-tries its push when signalled. <b>Durability:</b> tokens are hints.
 */
final class RoomWatcher {
  private static final Logger log = LoggerFactory.getLogger(RedisQueue.class);

  private final String name;
  private final SharedClient shared;
  private final RedisKeys keys;
  private final Duration blockTimeout;
  private final BooleanSupplier closed;
  private final BackgroundFailures failures;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition room = lock.newCondition();
  /** Guarded by {@link #lock}. */
  private int waiters;
  private Thread thread;
  private StatefulConnection<byte[], byte[]> conn;

  RoomWatcher(String name, SharedClient shared, RedisKeys keys, Duration blockTimeout,
      BooleanSupplier closed) {
    this.name = name;
    this.shared = shared;
    this.keys = keys;
    this.blockTimeout = blockTimeout;
    this.closed = closed;
    this.failures = new BackgroundFailures("queue \"" + name + "\"");
  }

  /**
   * Waits for a room token or a local signal, at most one blocking timeout; false when {@code
   * deadline} (System.nanoTime) has passed.
   */
  boolean awaitRoom(long deadline) {
    lock.lock();
    try {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        return false;
      }
      if (closed.getAsBoolean()) {
        throw new QueueClosedException(name);
      }
      waiters++;
      start();
      try {
        room.awaitNanos(Math.min(remaining, blockTimeout.toNanos()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new QueueInterruptedException(name, e);
      } finally {
        waiters--;
      }
      if (closed.getAsBoolean()) {
        throw new QueueClosedException(name);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Room may have been freed in this process: waiting producers re-try. */
  void signal() {
    lock.lock();
    try {
      room.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Called with {@link #lock} held. */
  private void start() {
    if (thread != null) {
      return;
    }
    Thread t = new Thread(this::watch, "queuekit-" + name + "-room");
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  /** Blocks on the room list while producers of this process wait, signalling them per token. */
  private void watch() {
    byte[] meta = RedisKeys.b(keys.meta);
    boolean counted = count(meta);
    String task = "the room watch (BLPOP " + keys.room + ")";
    long backoff = 0;
    try {
      while (true) {
        StatefulConnection<byte[], byte[]> c;
        lock.lock();
        try {
          if (closed.getAsBoolean() || waiters == 0) {
            return;
          }
          c = conn;
        } finally {
          lock.unlock();
        }
        try {
          if (c == null) {
            c = shared.dedicated();
            lock.lock();
            try {
              if (closed.getAsBoolean()) {
                c.closeAsync();
                return;
              }
              conn = c;
            } finally {
              lock.unlock();
            }
          }
          SharedClient.commands(c).blpop(Math.max(0.01, blockTimeout.toMillis() / 1000.0),
              RedisKeys.b(keys.room)).get(blockTimeout.plus(shared.commandTimeout).toMillis(),
              TimeUnit.MILLISECONDS);
          failures.succeeded(task);
          backoff = 0;
        } catch (ExecutionException | TimeoutException | RedisException e) {
          if (closed.getAsBoolean()) {
            return;
          }
          failures.failed(task, e, "it is retried with backoff, and waiting producers re-check "
              + "once per blocking timeout");
          if (!BackgroundFailures.fault(e)) {
            // the connection's trouble (closed, timed out): the next try opens a new one; a
            // server's refusal (a wrong-typed key, say) keeps it
            dropConnection();
          }
          // growing, so a refusal that stays does not cost a command (or a connection) each 100 ms
          backoff = OutageBackoff.next(backoff);
          pause(backoff);
          // no signal: nothing came, and producers woken now would leave, ending this watcher
          // (and its connection) only to start another
          continue;
        }
        // token or timeout: producers re-check either way (at least once per blocking timeout)
        signal();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // not Redis's (those are caught above): a bug; producers still re-check once per blocking
      // timeout, and the next one to wait starts a watcher again
      log.warn("queue \"{}\": room watcher stopped", name, e);
    } finally {
      dropConnection();
      // before the thread is cleared: close() joins it and only then releases the shared client,
      // so the decrement is never sent on a released client
      if (counted) {
        try {
          shared.async.hincrby(meta, str("roomwatchers"), -1);
        } catch (RuntimeException e) {
          log.debug("queue \"{}\": room watcher could not uncount itself: {}", name,
              e.getMessage());
        }
      }
      lock.lock();
      try {
        thread = null;
        // a producer that started waiting as this watcher left needs a new watcher
        if (!closed.getAsBoolean() && waiters > 0) {
          start();
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Counts this watcher in {@code meta.roomwatchers}, so a step that frees room pushes a token
   * for each watcher. Best effort: uncounted (Redis unreachable, or the field another program's
   * bytes), the watcher still blocks on the room list, and a step that frees room pushes at least
   * one token; a fault is warned about once, until a count succeeds. Giving up instead would end
   * the thread, and a producer still waiting would start the next at once: a spin.
   */
  private boolean count(byte[] meta) {
    String task = "the room watcher's count (" + keys.meta + " field roomwatchers)";
    try {
      shared.async.hincrby(meta, str("roomwatchers"), 1).get(shared.commandTimeout.toMillis(),
          TimeUnit.MILLISECONDS);
      failures.succeeded(task);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException | RedisException e) {
      failures.failed(task, e, "the watcher goes on uncounted (a step that frees room still "
          + "leaves one token)");
      return false;
    }
  }

  /** Closes the watcher's connection, if it has one; the next {@code BLPOP} opens another. */
  private void dropConnection() {
    StatefulConnection<byte[], byte[]> c;
    lock.lock();
    try {
      c = conn;
      conn = null;
    } finally {
      lock.unlock();
    }
    if (c != null) {
      c.closeAsync();
    }
  }

  private void pause(long nanos) throws InterruptedException {
    lock.lock();
    try {
      if (!closed.getAsBoolean()) {
        room.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * After the queue is marked closed: wakes waiting producers (they throw closed) and closes the
   * watcher's connection so its {@code BLPOP} returns.
   */
  void close() {
    StatefulConnection<byte[], byte[]> c;
    lock.lock();
    try {
      room.signalAll();
      c = conn;
      conn = null;
    } finally {
      lock.unlock();
    }
    if (c != null) {
      c.close();
    }
  }

  /** Waits up to {@code millis} for the watcher thread to leave. */
  void join(long millis) throws InterruptedException {
    Thread t;
    lock.lock();
    try {
      t = thread;
    } finally {
      lock.unlock();
    }
    if (t != null) {
      t.join(millis);
    }
  }
}
