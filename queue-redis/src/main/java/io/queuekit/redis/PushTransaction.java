package io.queuekit.redis;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.queuekit.redis.Scripts.Script;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A simple queue's push of ready items as one transaction: {@code MULTI}, an {@code RPUSH} of the
 * entries to the ready list, {@code pushed.lua}, {@code EXEC}. The entries go from the command
 * into the list without becoming Lua values (an entry made into one is copied, hashed, compared
 * with similar ones and later collected, which cost the server several times the list write);
 * the script then does what {@code push.lua} would, atomically with the {@code RPUSH}: checks the
 * keys' types (taking the entries back out when one is wrong), trims what {@code LENGTH} does not
 * admit, counts the first-pushed time and wakes waiters. Its reply is how many it admitted and
 * whether the queue is full.
 *
 * <p>Only where a connection can hold a transaction: standalone and Sentinel, not Cluster (whose
 * client routes each command by its key). The script runs by {@code EVAL} with its body, not
 * {@code EVALSHA}: a {@code NOSCRIPT} inside {@code EXEC} (a restarted or failed-over server)
 * would leave the {@code RPUSH} done and its bookkeeping not. Redis hashes the body to find the
 * compiled script, a few microseconds a push.
 *
 * <p><b>Thread-safety:</b> safe for any number of threads; one transaction at a time is on the
 * connection, which is this class's alone. Lettuce keeps a connection's transaction state on the
 * client, and a {@code MULTI} that fails after it was sent clears it whenever its failure comes
 * in: a second transaction sent meanwhile would lose its own. So the next push waits until the
 * last one's {@code EXEC} has answered (or failed), up to the command timeout. <b>Ordering:</b>
 * a push's entries keep their order. <b>Durability:</b> that of the script path; a push whose
 * reply is lost may have been admitted (at least once).
 */
final class PushTransaction implements AutoCloseable {
  private static final byte[] BODY = Script.PUSHED.body.getBytes(StandardCharsets.UTF_8);

  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final Duration timeout;
  private final Semaphore turn = new Semaphore(1);

  /** @param timeout how long a push waits for the one before it on the connection */
  PushTransaction(StatefulRedisConnection<byte[], byte[]> connection, Duration timeout) {
    this.connection = connection;
    this.timeout = timeout;
  }

  /**
   * Sends the transaction; completes with {@code pushed.lua}'s reply, or exceptionally with the
   * error of the script (a key of another type), of {@code EXEC} or of the connection.
   *
   * @param keys the script's KEYS (the standard keys, no consumer)
   * @param ready the ready list's key (KEYS[1])
   * @param entries the entries, in order
   * @param args pushed.lua's ARGV (now, LENGTH, n, GLOBAL_MAX_WORKERS)
   */
  CompletableFuture<List<Object>> push(byte[][] keys, byte[] ready, byte[][] entries,
      byte[]... args) {
    if (!takeTurn()) {
      return CompletableFuture.failedFuture(new RedisCommandTimeoutException("the push before "
          + "this one on the transaction connection got no answer within " + timeout.toMillis()
          + " ms"));
    }
    RedisAsyncCommands<byte[], byte[]> tx = connection.async();
    RedisFuture<List<Object>> codes;
    RedisFuture<TransactionResult> exec;
    try {
      tx.multi();
      tx.rpush(ready, entries);
      codes = tx.eval(BODY, ScriptOutputType.MULTI, keys, args);
      exec = tx.exec();
    } catch (RuntimeException e) {
      turn.release();
      return CompletableFuture.failedFuture(e);
    }
    // replies come in order: once EXEC's has, or its failure, so have the others
    CompletableFuture<TransactionResult> done = exec.toCompletableFuture();
    done.whenComplete((r, e) -> turn.release());
    return done.thenCompose(r -> r.wasDiscarded()
        ? CompletableFuture.failedFuture(new RedisException("the push transaction was discarded"))
        : codes.toCompletableFuture());
  }

  /** Waits for the connection, ignoring interrupts (restored afterwards) as replies are awaited. */
  private boolean takeTurn() {
    boolean interrupted = false;
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        try {
          return turn.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
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

  @Override
  public void close() {
    connection.close();
  }
}
