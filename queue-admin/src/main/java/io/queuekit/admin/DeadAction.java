package io.queuekit.admin;

import io.queuekit.DeadLetterEntry;
import io.queuekit.WorkerPoolQueue;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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

  /**
   * The outcome of acting on {@code named} ids ({@code null}: every dead letter), {@code missing}
   * of them not found beforehand, {@code count} acted on.
   */
  static DeadAction of(String queue, String done, List<Long> named, Set<Long> missing,
      long count) {
    long found = named == null ? count : new LinkedHashSet<>(named).size() - missing.size();
    return new DeadAction(queue, done, count, missing, Math.max(0, found - count));
  }

  /** The HTTP status: 409 when some were taken meanwhile, 404 when some were missing, else 200. */
  int status() {
    return taken > 0 ? 409 : !missing.isEmpty() ? 404 : 200;
  }

  private static final int SCAN_PAGE = 500;

  /** The ids of {@code named} that are no dead letter of {@code q} now, in the order named. */
  static Set<Long> notDead(WorkerPoolQueue<?> q, List<Long> named) {
    Set<Long> missing = new LinkedHashSet<>(named);
    // newest first, a page at a time, until every id is found or the list ends (as the CLI)
    for (int offset = 0; !missing.isEmpty(); offset += SCAN_PAGE) {
      List<? extends DeadLetterEntry<?>> page = q.deadLetters(offset, SCAN_PAGE);
      if (page.isEmpty()) {
        break;
      }
      page.forEach(d -> missing.remove(d.id()));
    }
    return missing;
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
      sb.append("has no dead letter ")
          .append(missing.stream().map(String::valueOf).collect(Collectors.joining(", ")))
          .append(" (replayed or purged already, or never one)");
    }
    if (taken > 0) {
      sb.append(missing.isEmpty() ? "" : ", and ").append(taken).append(" of the ids named ")
          .append(taken == 1 ? "was a dead letter" : "were dead letters")
          .append(" when looked for but gone when acted on (another replay or purge took ")
          .append(taken == 1 ? "it" : "them").append(" meanwhile)");
    }
    return sb.append("; ").append(done).append(" ").append(count).append(" other")
        .append(count == 1 ? "" : "s").toString();
  }
}
