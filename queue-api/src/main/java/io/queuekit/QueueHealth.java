package io.queuekit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The health of a manager's queues, for a readiness probe, an admin page or an alert: one overall
 * {@link #status()} with the {@link #reasons()} behind it, and each queue's figures. Immutable.
 *
 * @param healthy true when no queue is {@link Status#DOWN} (a {@link Status#DEGRADED} queue still
 *     works: its warnings are for an operator, not a reason to stop routing traffic)
 * @param queues one entry per queue, in creation order
 */
public record QueueHealth(boolean healthy, List<Queue> queues) {

  public QueueHealth {
    queues = List.copyOf(queues);
  }

  /** How a queue, or the whole manager, is doing: the worst of its queues. */
  public enum Status {
    /** Nothing to report. */
    UP,
    /** It works, but something needs a look (dead letters growing). */
    DEGRADED,
    /** It does not work as it should: store unreachable, claiming stopped, items waiting too long. */
    DOWN
  }

  /** The worst status of any queue; {@link Status#UP} with no queue. */
  public Status status() {
    Status worst = Status.UP;
    for (Queue q : queues) {
      if (q.status().compareTo(worst) > 0) {
        worst = q.status();
      }
    }
    return worst;
  }

  /** Every queue's problem, then its warnings, each prefixed with the queue's name. */
  public List<String> reasons() {
    List<String> out = new ArrayList<>();
    for (Queue q : queues) {
      q.problem().ifPresent(p -> out.add("queue \"" + q.name() + "\": " + p));
      for (String w : q.warnings()) {
        out.add("queue \"" + q.name() + "\": " + w);
      }
    }
    return List.copyOf(out);
  }

  /**
   * The consumers a backend sees claiming from a queue, over every process (the {@code redis}
   * backend's registry and heartbeats); immutable.
   *
   * @param live consumers whose heartbeat has not lapsed (a killed consumer counts until it does)
   * @param oldestBeatAge how long ago the stalest live consumer last beat; empty with none live
   */
  public record Consumers(int live, Optional<Duration> oldestBeatAge) {}

  /**
   * One queue's health.
   *
   * @param name queue name
   * @param reachable whether its store answered
   * @param oldestWaitingAge age of the oldest waiting item, if any
   * @param problem what is wrong, empty when it works
   * @param unreachableSince while the store does not answer: when a health check first found it
   *     so (the manager's clock); empty while it answers
   * @param warnings what needs a look though the queue works (dead letters growing)
   * @param consumers the consumers its store sees, when the backend reports them (redis); empty
   *     for backends that do not, and while the store does not answer
   */
  public record Queue(String name, boolean reachable, Optional<Duration> oldestWaitingAge,
      Optional<String> problem, Optional<Instant> unreachableSince, List<String> warnings,
      Optional<Consumers> consumers) {

    public Queue {
      warnings = List.copyOf(warnings);
    }

    /** A queue's health with no consumers reported. */
    public Queue(String name, boolean reachable, Optional<Duration> oldestWaitingAge,
        Optional<String> problem, Optional<Instant> unreachableSince, List<String> warnings) {
      this(name, reachable, oldestWaitingAge, problem, unreachableSince, warnings,
          Optional.empty());
    }

    /** A queue's health without history: no outage start, no warnings. */
    public Queue(String name, boolean reachable, Optional<Duration> oldestWaitingAge,
        Optional<String> problem) {
      this(name, reachable, oldestWaitingAge, problem, Optional.empty(), List.of());
    }

    /** Whether it works (it may still be {@link Status#DEGRADED}). */
    public boolean healthy() {
      return problem.isEmpty();
    }

    /** DOWN with a problem, DEGRADED with warnings only, else UP. */
    public Status status() {
      return problem.isPresent() ? Status.DOWN : warnings.isEmpty() ? Status.UP : Status.DEGRADED;
    }
  }
}
