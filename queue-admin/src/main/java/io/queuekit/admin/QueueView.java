package io.queuekit.admin;

import io.queuekit.QueueException;
import io.queuekit.QueueHealth;
import io.queuekit.QueueStats;
import io.queuekit.WorkerPoolQueue;
import java.util.List;
import java.util.Optional;

/**
 * One queue as the API shows it: figures and health, never settings that could hold a
 * connection string or password. {@code status} is {@code UP}, {@code DEGRADED} (it works;
 * {@code warnings} say what needs a look) or {@code DOWN} ({@code problem} says why, and {@code
 * unreachableSince} since when its store has not answered). {@code consumers} and {@code
 * oldestBeatSeconds} are the live consumers the store sees and the age of the stalest one's last
 * beat (redis); null when the backend does not report them.
 *
 * <p>A queue whose stats cannot be read (its store down) is still shown, so an outage is visible
 * where it matters: {@code countsKnown} is false and the store's counts are null (unknown, not
 * zero); what the process itself knows (type, workers, max workers, paused, and its own counters
 * {@code handled}, {@code unhandled}, {@code deadLettered}, {@code recovered}) and the health
 * remain.
 */
record QueueView(
    String name,
    String type,
    boolean unique,
    boolean countsKnown,
    Long ready,
    Long delayed,
    Long inFlight,
    Long dead,
    Long deadDropped,
    int workers,
    int activeWorkers,
    int maxWorkers,
    boolean paused,
    Double oldestWaitingSeconds,
    boolean healthy,
    String status,
    String problem,
    String unreachableSince,
    List<String> warnings,
    Integer consumers,
    Double oldestBeatSeconds,
    Long handled,
    Long unhandled,
    Long deadLettered,
    Long recovered) {

  /**
   * The view of {@code q} with {@code health}, its check's result (null: none, as for a queue
   * created since). Never throws for a store that does not answer: the view says so instead.
   */
  static QueueView of(WorkerPoolQueue<?> q, QueueHealth.Queue health) {
    if (health != null && !health.reachable()) {
      return withoutCounts(q, health); // the check just failed to read it: no second wait for the same answer
    }
    QueueStats s;
    try {
      s = q.stats();
    } catch (QueueException e) {
      // the store stopped answering since the check: the view says so, not the stale check
      return withoutCounts(q, new QueueHealth.Queue(q.name(), false, Optional.empty(),
          Optional.of("store unreachable: " + e.getMessage())));
    }
    return new QueueView(s.name(), s.type(), s.unique(), true, s.ready(), s.delayed(), s.inFlight(),
        s.dead(), s.deadDropped(), s.workers(), s.active(), s.maxWorkers(), s.paused(),
        s.oldestWaitingAge().map(d -> d.toMillis() / 1000.0).orElse(null),
        health == null || health.healthy(),
        health == null ? "UP" : health.status().name(),
        health == null ? null : health.problem().orElse(null),
        health == null ? null : health.unreachableSince().map(Object::toString).orElse(null),
        health == null ? List.of() : health.warnings(),
        health == null ? null : health.consumers().map(QueueHealth.Consumers::live).orElse(null),
        health == null ? null : health.consumers().flatMap(QueueHealth.Consumers::oldestBeatAge)
            .map(d -> d.toMillis() / 1000.0).orElse(null),
        s.handled(), s.unhandled(), s.deadLettered(), s.recovered());
  }

  private static QueueView withoutCounts(WorkerPoolQueue<?> q, QueueHealth.Queue health) {
    QueueStats.ProcessCounts c = q.processCounts(); // this process's own: known without the store
    return new QueueView(q.name(), q.type(), q.unique(), false, null, null, null, null, null,
        q.workers(), q.activeWorkers(), q.maxWorkers(), q.paused(), null,
        health.healthy(), health.status().name(), health.problem().orElse(null),
        health.unreachableSince().map(Object::toString).orElse(null), health.warnings(),
        null, null, c.handled(), c.unhandled(), c.deadLettered(), c.recovered());
  }
}
