package io.queuekit.admin;

import io.queuekit.DeadLetterEntry;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.internal.DeadSelection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a replay or purge did: how many dead letters, which of the ids named were no dead letter
 * of the queue, and how many were dead letters when looked for but gone when acted on (another
 * replay or purge took them meanwhile). Like {@code queuekit dead replay}, the others are done
 * and the shortfall named, so "replayed 0" is never mistaken for success. Immutable.
 *
 * @param queue the queue's name
 * @param done {@code "replayed"} or {@code "purged"}
 * @param count how many were
 * @param missing the ids named that were no dead letter, in the order named (empty for all)
 * @param taken how many of the ids found were gone when acted on (0 for all)
 */
record DeadAction(String queue, String done, long count, Set<Long> missing, long taken) {
  /** How many missing ids the message names. */
  static final int NAMED = 20;

  /**
   * The outcome of acting on {@code named} ids ({@code null}: every dead letter), {@code missing}
   * of them not found beforehand, {@code count} acted on.
   */
  static DeadAction of(String queue, String done, List<Long> named, Set<Long> missing,
      long count) {
    return new DeadAction(queue, done, count, missing,
        named == null ? 0 : DeadSelection.taken(named, missing, count));
  }

  /** The HTTP status: 409 when some were taken meanwhile, 404 when some were missing, else 200. */
  int status() {
    return taken > 0 ? 409 : !missing.isEmpty() ? 404 : 200;
  }

  /** The ids of {@code named} that are no dead letter of {@code q} now, in the order named. */
  static Set<Long> notDead(WorkerPoolQueue<?> q, List<Long> named) {
    return DeadSelection.missing(named,
        q.deadLetters(named).stream().map(DeadLetterEntry::id).toList());
  }

  /** What was done, for the log: {@code {replayed=2}}, and the missing ids when some were. */
  Map<String, Object> summary() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(done, count);
    if (!missing.isEmpty()) {
      out.put("missing", missing);
    }
    if (taken > 0) {
      out.put("taken", taken);
    }
    return out;
  }

  /**
   * The JSON answer: {@code {"replayed": 2}}; when ids were missing or taken, the error naming
   * them and the queue first, then the count, {@code "missing": [ids]} and {@code "taken": n}.
   */
  Map<String, Object> json() {
    Map<String, Object> out = new LinkedHashMap<>();
    if (status() != 200) {
      out.put("error", message());
      out.put("queue", queue);
    }
    out.putAll(summary());
    return out;
  }

  /** Names the missing ids and those taken meanwhile, and what was done with the others. */
  String message() {
    StringBuilder sb = new StringBuilder("queue \"" + queue + "\" ");
    if (!missing.isEmpty()) {
      // the message names a few; the JSON's "missing" lists them all
      sb.append("has no dead letter ")
          .append(missing.stream().limit(NAMED).map(String::valueOf)
              .collect(Collectors.joining(", ")))
          .append(missing.size() > NAMED ? " and " + (missing.size() - NAMED) + " more" : "")
          .append(" (replayed or purged already, or never one)");
    }
    if (taken > 0) {
      sb.append(missing.isEmpty() ? "" : ", and ").append(DeadSelection.takenMessage(taken));
    }
    sb.append("; ");
    return (count == 0 ? sb.append("none ").append(done)
        : sb.append(done).append(" ").append(count).append(" other")
            .append(count == 1 ? "" : "s")).toString();
  }
}
