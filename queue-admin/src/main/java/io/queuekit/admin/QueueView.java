package io.queuekit.admin;

import io.queuekit.QueueHealth;
import io.queuekit.QueueStats;
import io.queuekit.WorkerPoolQueue;

/**
 * One queue as the API shows it: figures and health, never settings that could hold a
 * connection string or password.
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
    String problem,
    long handled,
    long unhandled,
    long deadLettered,
    long recovered) {

  static QueueView of(WorkerPoolQueue<?> q, QueueHealth.Queue health) {
    QueueStats s = q.stats();
    return new QueueView(s.name(), s.type(), s.unique(), s.ready(), s.delayed(), s.inFlight(), s.dead(),
        s.deadDropped(), s.workers(), s.active(), s.maxWorkers(), s.paused(),
        s.oldestWaitingAge().map(d -> d.toMillis() / 1000.0).orElse(null),
        health == null || health.healthy(), health == null ? null : health.problem().orElse(null),
        s.handled(), s.unhandled(), s.deadLettered(), s.recovered());
  }
}
