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
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A simple queue's push of ready items as one transaction: {@code MULTI}, an {@code HSET} of the
 * entries as one pack ({@link Packs}) into the packs hash under an id this process drew, {@code
 * pushed.lua}, {@code EXEC}. The entries go from the command into Redis without becoming Lua
 * values (an entry made into one is copied, hashed byte by byte and later collected, which cost
 * the server several times the write itself); the script then does what {@code push.lua} would,
 * atomically with the {@code HSET}: checks the keys' types (taking the pack back out when one is
 * wrong), appends the pack's reference to the ready list, or as many of its entries as {@code
 * LENGTH} admits, counts the first-pushed time and wakes waiters. Its reply is how many it
 * admitted and whether the queue is full.
 *
 * <p>Only where a connection can hold a transaction: standalone and Sentinel, not Cluster (whose
 * client routes each command by its key). The script runs by {@code EVALSHA}: a server that lost
 * its scripts (restarted, failed over) answers {@code NOSCRIPT} inside {@code EXEC}, where the
 * {@code HSET} has run and the script has not, so no reference names the pack; the caller then
 * sends transactions naming that stray pack until one is answered: each deletes it and runs
 * the script by its body (which the server caches again). (By its body every time, the server
 * would hash about 5 KB twice a push, once when {@code MULTI} queues it and once when {@code
 * EXEC} runs it: measured, a quarter of the push's server time.)
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
  private static final String SHA = Script.PUSHED.sha;

  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final Duration timeout;
  private final Semaphore turn = new Semaphore(1);
  /**
   * The ids of this connection's packs: a random prefix (so no two processes, nor two connections
   * of one, draw the same id) and a count.
   */
  private final String ids = UUID.randomUUID().toString().replace("-", "") + ":";
  private final AtomicLong sent = new AtomicLong();

  /** @param timeout how long a push waits for the one before it on the connection */
  PushTransaction(StatefulRedisConnection<byte[], byte[]> connection, Duration timeout) {
    this.connection = connection;
    this.timeout = timeout;
    // the transaction's commands go out in one write, flushed after EXEC: one packet for the
    // server to read instead of four (measured: the server's reads and the client's sends per
    // push were a larger cost than the commands themselves). Commands buffered in the instant the
    // connection drops can miss both the flush and the reconnect: Lettuce's command timeout (on
    // by its default) then fails the EXEC, which releases the turn.
    connection.setAutoFlushCommands(false);
  }

  /**
   * Sends the transaction; completes with {@code pushed.lua}'s reply, or exceptionally with the
   * error of the script (a key of another type), of {@code EXEC} or of the connection.
   *
   * @param keys the script's KEYS (the standard keys, no consumer)
   * @param packs the packs hash's key (KEYS[17])
   * @param stray a pack an earlier transaction's {@code NOSCRIPT} left (written, never
   *     referenced), deleted by this one, which runs the script by its body (after a {@code
   *     NOSCRIPT} the server has it no more); null for none: by {@code EVALSHA}
   * @param id the pack's id ({@link #newPackId})
   * @param pack the entries, in order, as one pack
   * @param args pushed.lua's ARGV but the last (now, LENGTH, n, GLOBAL_MAX_WORKERS)
   */
  CompletableFuture<List<Object>> push(byte[][] keys, byte[] packs, byte[] stray, byte[] id,
      byte[] pack, byte[]... args) {
    byte[][] argv = Arrays.copyOf(args, args.length + 1);
    argv[args.length] = id;
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
      if (stray != null) {
        tx.hdel(packs, stray);
      }
      tx.hset(packs, id, pack);
      codes = stray == null ? tx.evalsha(SHA, ScriptOutputType.MULTI, keys, argv)
          : tx.eval(BODY, ScriptOutputType.MULTI, keys, argv);
      exec = tx.exec();
      connection.flushCommands();
    } catch (RuntimeException e) {
      // a transaction cut short must not go out: a MULTI without its EXEC would hold the
      // connection in a transaction the next push's MULTI finds
      connection.reset();
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

  /**
   * A new pack id, for one push: a transaction sent again after an outage (which may have run)
   * draws a new one, so it never makes two references to one pack.
   */
  byte[] newPackId() {
    return (ids + Long.toString(sent.incrementAndGet(), 36)).getBytes(StandardCharsets.UTF_8);
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
