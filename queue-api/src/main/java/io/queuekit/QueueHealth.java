package io.queuekit;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The health of a manager's queues, for a readiness probe or an admin page.
 *
 * @param healthy true when every queue is healthy
 * @param queues one entry per queue
 */
public record QueueHealth(boolean healthy, List<Queue> queues) {

  /**
   * One queue's health.
   *
   * @param name queue name
   * @param reachable whether its store answered
   * @param oldestWaitingAge age of the oldest waiting item, if any
   * @param problem what is wrong, empty when healthy
   */
  public record Queue(String name, boolean reachable, Optional<Duration> oldestWaitingAge,
      Optional<String> problem) {

    public boolean healthy() {
      return problem.isEmpty();
    }
  }
}
