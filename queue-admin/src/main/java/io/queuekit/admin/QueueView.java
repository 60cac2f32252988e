package io.queuekit.admin;

import io.queuekit.QueueHealth;
import io.queuekit.QueueStats;
import io.queuekit.WorkerPoolQueue;

/**
 * One queue as the API shows it: figures and health, never settings that could hold a
 * connection string or password. {@code status} is {@code UP}, {@code DEGRADED} (it works;
 * {@code warnings} say what needs a look) or {@code DOWN} ({@code problem} says why, and {@code
 * unreachableSince} since when its store has not answered). {@code consumers} and {@code
 * oldestBeatSeconds} are the live consumers the store sees and the age of the stalest one's last
 * beat (redis); null when the backend does not report them.
 */
record QueueView(
    String name,
    String type,
    boolean unique,
    long ready,
    long delayed,
    long inFlight,
    long dead,
    long deadDropped,
    int workers,
    int activeWorkers,
    int maxWorkers,
    boolean paused,
    Double oldestWaitingSeconds,
    boolean healthy,
    String status,
    String problem,
    String unreachableSince,
    java.util.List<String> warnings,
    Integer consumers,
    Double oldestBeatSeconds,
    long handled,
    long unhandled,
    long deadLettered,
    long recovered) {

  static QueueView of(WorkerPoolQueue<?> q, QueueHealth.Queue health) {
    QueueStats s = q.stats();
    return new QueueView(s.name(), s.type(), s.unique(), s.ready(), s.delayed(), s.inFlight(), s.dead(),
        s.deadDropped(), s.workers(), s.active(), s.maxWorkers(), s.paused(),
        s.oldestWaitingAge().map(d -> d.toMillis() / 1000.0).orElse(null),
        health == null || health.healthy(),
        health == null ? "UP" : health.status().name(),
        health == null ? null : health.problem().orElse(null),
        health == null ? null : health.unreachableSince().map(Object::toString).orElse(null),
        health == null ? java.util.List.of() : health.warnings(),
        health == null ? null : health.consumers().map(QueueHealth.Consumers::live).orElse(null),
        health == null ? null : health.consumers().flatMap(QueueHealth.Consumers::oldestBeatAge)
            .map(d -> d.toMillis() / 1000.0).orElse(null),
        s.handled(), s.unhandled(), s.deadLettered(), s.recovered());
  }
}
