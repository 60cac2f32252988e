package io.queuekit;

import io.queuekit.internal.GoDuration;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * What {@link QueueManager#health} remembers between checks, per queue: since when its store has
 * not answered, and the dead-letter count it saw last and when that count last grew. A queue
 * whose dead letters grew within the window is reported {@link QueueHealth.Status#DEGRADED}.
 *
 * <p>Thread-safe: one state per queue, updated under that state's lock; checks of different queues
 * run concurrently. Only health checks update it (nothing on a queue's hot path): an outage starts
 * when a check first sees it, and growth is seen between checks.
 */
final class HealthWatch {
  private final Clock clock;
  private final Duration deadGrowthWindow;
  /** By queue object (identity): a new queue of a closed one's name starts afresh. */
  private final Map<WorkerPoolQueue<?>, State> states = new ConcurrentHashMap<>();
  /** Whether the manager still holds a queue: a check that raced its close keeps no state. */
  private final Predicate<WorkerPoolQueue<?>> held;

  HealthWatch(Clock clock, Duration deadGrowthWindow, Predicate<WorkerPoolQueue<?>> held) {
    this.clock = clock;
    this.deadGrowthWindow = deadGrowthWindow;
    this.held = held;
  }

  private static final class State {
    Instant unreachableSince; // null while reachable
    long dead = -1; // -1: never seen
    long deadBefore; // the count before the last growth
    Instant grewAt; // null: no growth seen
  }

  /** How many queues it keeps a state for (tests). */
  int watched() {
    return states.size();
  }

  /** Forgets a closed queue. */
  void forget(WorkerPoolQueue<?> queue) {
    states.remove(queue);
  }

  QueueHealth.Queue check(WorkerPoolQueue<?> q, Duration maxWaitingAge) {
    QueueStats stats;
    QueueException failure = null;
    try {
      stats = q.stats();
    } catch (QueueException e) {
      stats = null;
      failure = e;
    }
    State st = states.computeIfAbsent(q, n -> new State());
    if (!held.test(q)) {
      // closed since the caller took it: its forget() may have run before this put, and the
      // state would stay for as long as the manager lives (the manager lets go of a queue
      // before forgetting it, so a forget() after this look removes it anyway)
      states.remove(q, st);
    }
    synchronized (st) {
      Instant at = clock.instant();
      if (stats == null) {
        if (st.unreachableSince == null) {
          st.unreachableSince = at;
        }
        QueueHealth.Queue now = unreachable(q, failure);
        return new QueueHealth.Queue(now.name(), false, now.oldestWaitingAge(),
            now.problem().map(p -> p + " (since " + st.unreachableSince + ")"),
            Optional.of(st.unreachableSince), List.of());
      }
      QueueHealth.Queue now = reachable(q, stats, maxWaitingAge);
      st.unreachableSince = null;
      long dead = stats.dead();
      if (st.dead >= 0 && dead > st.dead) {
        if (st.grewAt == null || !withinWindow(st.grewAt, at)) {
          st.deadBefore = st.dead; // a new episode of growth starts from here
        }
        st.grewAt = at;
      }
      st.dead = dead;
      List<String> warnings = st.grewAt != null && withinWindow(st.grewAt, at) && dead > st.deadBefore
          ? List.of("dead letters growing: " + st.deadBefore + " → " + dead + ", last grown at "
              + st.grewAt + " (window " + GoDuration.format(deadGrowthWindow) + ")")
          : List.of();
      return new QueueHealth.Queue(now.name(), true, now.oldestWaitingAge(), now.problem(),
          Optional.empty(), warnings, now.consumers());
    }
  }

  private boolean withinWindow(Instant grewAt, Instant at) {
    return Duration.between(grewAt, at).compareTo(deadGrowthWindow) < 0;
  }

  /**
   * One check without history: its store answers, its claiming runs, its oldest item is young
   * enough.
   */
  static QueueHealth.Queue stateless(WorkerPoolQueue<?> q, Duration maxWaitingAge) {
    try {
      return reachable(q, q.stats(), maxWaitingAge);
    } catch (QueueException e) {
      return unreachable(q, e);
    }
  }

  /** The consumers the backend sees; empty when it does not say or cannot be asked now. */
  private static Optional<QueueHealth.Consumers> consumers(WorkerPoolQueue<?> q) {
    if (!(q instanceof DefaultWorkerPoolQueue<?>)) {
      return Optional.empty();
    }
    try {
      return ((DefaultWorkerPoolQueue<?>) q).consumers();
    } catch (QueueException e) {
      // the store answered stats a moment ago: report the queue without consumers, not as down
      return Optional.empty();
    }
  }

  /** What is wrong beyond the store's answers: a claim loop ended by a fatal error. */
  private static Optional<String> stopped(WorkerPoolQueue<?> q) {
    return q instanceof DefaultWorkerPoolQueue<?>
        ? ((DefaultWorkerPoolQueue<?>) q).problem() : Optional.empty();
  }

  private static QueueHealth.Queue reachable(WorkerPoolQueue<?> q, QueueStats s,
      Duration maxWaitingAge) {
    Optional<String> problem = stopped(q).or(() -> s.oldestWaitingAge()
        .filter(age -> age.compareTo(maxWaitingAge) > 0)
        .map(age -> "oldest waiting item is " + GoDuration.format(age) + " old (limit "
            + GoDuration.format(maxWaitingAge) + ")"
            + (s.paused() ? "; the queue is paused" : "")));
    return new QueueHealth.Queue(q.name(), true, s.oldestWaitingAge(), problem, Optional.empty(),
        List.of(), consumers(q));
  }

  private static QueueHealth.Queue unreachable(WorkerPoolQueue<?> q, QueueException e) {
    return new QueueHealth.Queue(q.name(), false, Optional.empty(), Optional.of(
        // the reason is shown after the queue's name (QueueHealth.reasons): not named twice
        "store unreachable: " + StoreFailures.reason(q.name(), e)
            + stopped(q).map(p -> "; " + p).orElse("")));
  }
}
