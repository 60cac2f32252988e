package io.queuekit.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One beat for all the queues of one {@link SharedClient} and scheduler (in a process with one
 * manager, one per process), instead of one scheduled task per queue (docs/DESIGN.md §3.6). The
 * client holds its groups.
 *
 * <p>Every tick (a third of the shortest {@code CONSUMER_TIMEOUT} among its members) it sends one
 * {@code EXISTS} over the busy sets ({@code T:busy}) of the members that hold nothing: on Redis
 * Cluster Lettuce splits it by slot and adds the counts up. Zero, the idle case, means no other
 * consumer of those queues holds anything, so there is nobody to watch closely. Then each member
 * ticks, told whether that count was above zero: a busy member beats every tick; an idle one
 * beats once per idle period, and checks the busy consumers of its queue every tick while any
 * exist. So 1,000 idle queues of one process cost one command per tick, plus their idle beats.
 *
 * <p><b>Thread-safety:</b> safe for any number of threads; ticks run on the scheduler, one at a
 * time. <b>Ordering:</b> members tick in joining order. <b>Durability:</b> none (in memory).
 */
final class BeatGroup {
  /** A queue's part in the group beat. */
  interface Member {
    /** The heartbeat period it needs while busy (ms). */
    long beatMs();

    /** Whether it holds deliveries (or has entries to sweep): it beats every tick. */
    boolean busy();

    /** Its queue's busy set key. */
    byte[] busyKey();

    /**
     * One tick of the group beat, on the scheduler.
     *
     * @param othersBusy the busy sets of the idle members were not all empty (maybe this one's)
     */
    void tick(boolean othersBusy);
  }

  private final SharedClient shared;
  private final ScheduledExecutorService scheduler;
  private final List<Member> members = new CopyOnWriteArrayList<>();
  private final BackgroundFailures failures = new BackgroundFailures("beat group");
  /** Guarded by {@code shared.beatGroups}. */
  private ScheduledFuture<?> task;
  private long periodMs = Long.MAX_VALUE;

  private BeatGroup(SharedClient shared, ScheduledExecutorService scheduler) {
    this.shared = shared;
    this.scheduler = scheduler;
  }

  /** Adds {@code m} to the group of its client and scheduler, starting the group's beat. */
  static BeatGroup join(SharedClient shared, ScheduledExecutorService scheduler, Member m) {
    synchronized (shared.beatGroups) {
      BeatGroup g = shared.beatGroups.computeIfAbsent(scheduler, s -> new BeatGroup(shared, s));
      g.members.add(m);
      long period = m.beatMs();
      if (period < g.periodMs) {
        // a member needing a shorter period: reschedule at it
        if (g.task != null) {
          g.task.cancel(false);
        }
        g.periodMs = period;
        try {
          g.task = scheduler.scheduleWithFixedDelay(g::tick, period, period,
              TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
          g.task = null;
        }
      }
      return g;
    }
  }

  /** Removes {@code m}; the last member to leave stops the group's beat. */
  void leave(Member m) {
    synchronized (shared.beatGroups) {
      members.remove(m);
      if (members.isEmpty() && shared.beatGroups.get(scheduler) == this) {
        shared.beatGroups.remove(scheduler);
        if (task != null) {
          task.cancel(false);
        }
      }
    }
  }

  private void tick() {
    try {
      List<Member> idle = new ArrayList<>();
      for (Member m : members) {
        if (!m.busy()) {
          idle.add(m);
        }
      }
      if (idle.isEmpty()) {
        tickAll(false);
        return;
      }
      byte[][] k = new byte[idle.size()][];
      for (int i = 0; i < k.length; i++) {
        k[i] = idle.get(i).busyKey();
      }
      shared.async.exists(k).toCompletableFuture().whenComplete((n, e) -> {
        if (e != null) {
          failures.failed("the look at the busy sets", e);
        }
        // unknown counts as busy: a lapse must not go unnoticed because one command failed
        boolean othersBusy = e != null || n == null || n > 0;
        try {
          // off Lettuce's event loop: a member's tick may wait for its own replies
          scheduler.execute(() -> tickAll(othersBusy));
        } catch (RejectedExecutionException shuttingDown) {
          // the manager is closing: no more beats
        }
      });
    } catch (RuntimeException | Error e) {
      // caught whatever it is: a periodic task that throws is never run again, and every queue of
      // the group would stop beating (their consumers then look dead to the others)
      failures.failed("the tick", e);
      if (e instanceof VirtualMachineError) {
        throw e;
      }
    }
  }

  private void tickAll(boolean othersBusy) {
    for (Member m : members) {
      try {
        m.tick(othersBusy);
      } catch (RuntimeException | Error e) {
        failures.failed("a queue's beat", e);
        if (e instanceof VirtualMachineError) {
          throw e;
        }
      }
    }
  }
}
