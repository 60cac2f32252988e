package io.queuekit.spring;

import io.queuekit.QueueHealth;
import io.queuekit.QueueManager;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Actuator's view of {@link QueueManager#health(Duration)}: UP when every queue's store answers,
 * its claiming runs and its oldest waiting item is younger than {@code
 * queuekit.health-max-waiting-age}; DOWN otherwise. The details carry queuekit's own status (UP,
 * DEGRADED: dead letters growing, which leaves Actuator's UP; DOWN), its reasons, and each queue's
 * problem, warnings, since when its store has been unreachable and, where the backend reports
 * them (redis), its live {@code consumers} and {@code oldestBeatSeconds}, under {@code queues} by name
 * (so a queue named {@code reasons} keeps its own detail).
 * Thread-safe: each call asks the manager afresh.
 */
final class QueuekitHealthIndicator implements HealthIndicator {

  private final QueueManager manager;
  private final Duration maxWaitingAge;

  QueuekitHealthIndicator(QueueManager manager, Duration maxWaitingAge) {
    this.manager = manager;
    this.maxWaitingAge = maxWaitingAge;
  }

  @Override
  public Health health() {
    QueueHealth health = manager.health(maxWaitingAge);
    Health.Builder b = health.healthy() ? Health.up() : Health.down();
    b.withDetail("queuekitStatus", health.status().name());
    if (!health.reasons().isEmpty()) {
      b.withDetail("reasons", health.reasons());
    }
    Map<String, Object> queues = new LinkedHashMap<>();
    for (QueueHealth.Queue q : health.queues()) {
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("status", q.status().name());
      detail.put("reachable", q.reachable());
      q.unreachableSince().ifPresent(t -> detail.put("unreachableSince", t.toString()));
      if (!q.warnings().isEmpty()) {
        detail.put("warnings", q.warnings());
      }
      q.oldestWaitingAge().ifPresent(age -> detail.put("oldestWaitingSeconds", age.toMillis() / 1000.0));
      q.problem().ifPresent(p -> detail.put("problem", p));
      q.consumers().ifPresent(c -> {
        detail.put("consumers", c.live());
        c.oldestBeatAge().ifPresent(a -> detail.put("oldestBeatSeconds", a.toMillis() / 1000.0));
      });
      queues.put(q.name(), detail);
    }
    b.withDetail("queues", queues);
    return b.build();
  }
}
