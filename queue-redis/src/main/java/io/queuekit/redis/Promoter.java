package io.queuekit.redis;

import static io.queuekit.redis.Entries.str;

import io.queuekit.redis.Scripts.Script;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The promoter of a {@link RedisQueue}: the fallback that wakes a waiter when a delayed item falls
 * due (docs/DESIGN.md §3.5, §3.7).
 *
 * <p>A claim bounds its blocking wait by the earliest due time its claim script returned, then
 * claims, promoting what fell due (lazily and in order; a claim that leaves items ready wakes
 * others). A delayed item that becomes the earliest adds one token, so some waiter claims and
 * learns the new due time at once. The promoter covers a waiter that knew a due time and went
 * busy or away: every beat that finds items waiting runs the promoter script, which wakes one
 * waiter when ready items have fewer tokens than waiters (a lost token) and, with delayed items,
 * takes or renews the lease {@code T:promoter} (SET NX PX, {@code CONSUMER_TIMEOUT}; one holder
 * per queue) and wakes one waiter once the earliest is due; that waiter's claim promotes. The
 * holder also runs it at the earliest due time it saw or (in process) that of a delayed item
 * this process pushed or released, when that comes before its next beat. With nothing delayed
 * nobody renews the lease: an idle queue runs no promoter at all.
 *
 * <p><b>Thread-safety:</b> safe for any number of threads. <b>Ordering:</b> runs are not ordered
 * with claims; the claim script promotes in due order. <b>Durability:</b> the lease lives in
 * Redis and lapses with its holder.
 */
final class Promoter {
  private final String name;
  private final RedisCalls calls;
  private final RedisKeys keys;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final long leaseMs;
  /** {@code GLOBAL_MAX_WORKERS}: at the cap, a run wakes nobody (promote.lua). */
  private final int globalMaxWorkers;
  private final Supplier<String> consumer;
  private final BooleanSupplier closed;
  private final Runnable readyChecked;
  private final BackgroundFailures failures;

  /** Whether the last run held the lease. */
  private volatile boolean holder;
  /** The soonest planned run and the next beat (ms, queue clock); guarded by this. */
  private long plannedAt = Long.MAX_VALUE;
  private long nextBeatAt = Long.MAX_VALUE;
  private final List<ScheduledFuture<?>> planned = new ArrayList<>();

  /**
   * @param consumer the registered consumer id, or null
   * @param readyChecked told when a run looked for ready items (and left a token if short)
   */
  Promoter(String name, RedisCalls calls, RedisKeys keys, Clock clock,
      ScheduledExecutorService scheduler, long ttlMs, int globalMaxWorkers,
      BackgroundFailures failures, Supplier<String> consumer, BooleanSupplier closed,
      Runnable readyChecked) {
    this.failures = failures;
    this.name = name;
    this.calls = calls;
    this.keys = keys;
    this.clock = clock;
    this.scheduler = scheduler;
    this.leaseMs = Math.max(1000, ttlMs);
    this.globalMaxWorkers = globalMaxWorkers;
    this.consumer = consumer;
    this.closed = closed;
    this.readyChecked = readyChecked;
  }

  /** A beat runs now; the next one at {@code nextBeatAt} (ms, queue clock). */
  synchronized void nextBeatAt(long at) {
    nextBeatAt = at;
  }

  /** The consumer was fenced: whatever lease it held is not to be counted on. */
  void fenced() {
    holder = false;
  }

  /**
   * Runs the promoter script for consumer {@code c}, from a beat that found items waiting or, in
   * the lease holder, at the earliest due time it knows ({@code once}).
   */
  CompletableFuture<Void> promote(String c, boolean once) {
    if (closed.getAsBoolean()) {
      return CompletableFuture.completedFuture(null);
    }
    byte[][] std = keys.script(c);
    byte[][] k = Arrays.copyOf(std, std.length + 1);
    // the lease follows the standard KEYS, whatever their number
    k[std.length] = RedisKeys.b(keys.promoter);
    CompletionStage<List<Object>> f;
    try {
      f = calls.runKeys(Script.PROMOTE, k, str(clock.millis()), str(c), str(leaseMs),
          str(globalMaxWorkers));
    } catch (RuntimeException e) {
      failures.failed("the promoter", e);
      if (once) {
        ranOnce();
      }
      return CompletableFuture.completedFuture(null);
    }
    return f.toCompletableFuture().handle((r, e) -> {
      if (once) {
        ranOnce();
      }
      if (e != null) {
        failures.failed("the promoter", e);
        return null;
      }
      failures.succeeded("the promoter");
      readyChecked.run();
      holder = (Long) r.get(0) == 1;
      long earliest = (Long) r.get(2);
      if (earliest > clock.millis()) {
        // the holder runs again at the earliest due time if that comes before its next beat
        dueAt(earliest);
      }
      return null;
    });
  }

  private synchronized void ranOnce() {
    plannedAt = Long.MAX_VALUE;
  }

  /**
   * This process knows of a delayed item due at {@code due} (ms, queue clock): if it holds the
   * lease and neither its next beat nor a run already planned comes first, it runs the promoter
   * once more at that time.
   */
  void dueAt(long due) {
    if (!holder || closed.getAsBoolean() || consumer.get() == null) {
      return;
    }
    synchronized (this) {
      if (due >= Math.min(plannedAt, nextBeatAt)) {
        return;
      }
      plannedAt = due;
      planned.removeIf(ScheduledFuture::isDone);
      try {
        planned.add(scheduler.schedule(this::promoteOnce, Math.max(1, due - clock.millis()),
            TimeUnit.MILLISECONDS));
      } catch (RejectedExecutionException shuttingDown) {
        plannedAt = Long.MAX_VALUE;
      }
    }
  }

  private void promoteOnce() {
    String c = consumer.get();
    if (closed.getAsBoolean() || c == null) {
      ranOnce();
      return;
    }
    promote(c, true);
  }

  /** Cancels the planned runs. */
  synchronized void stop() {
    for (ScheduledFuture<?> t : planned) {
      t.cancel(false);
    }
    planned.clear();
  }
}
