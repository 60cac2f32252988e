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
 * What a replay or purge did: how many dead letters, and which of the ids named were no dead
 * letter of the queue. Like {@code queuekit dead replay}, the others are done and the missing
 * ones named, so "replayed 0" is never mistaken for success. Immutable.
 *
 * @param queue the queue's name
 * @param done {@code "replayed"} or {@code "purged"}
 * @param count how many were
 * @param missing the ids named that were no dead letter, in the order named (empty for all)
 */
record DeadAction(String queue, String done, long count, Set<Long> missing) {

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
    return out;
  }

  /**
   * The JSON answer: {@code {"replayed": 2}}; when ids were missing, the error naming them and the
   * queue first, then the count and {@code "missing": [ids]}.
   */
  Map<String, Object> json() {
    Map<String, Object> out = new LinkedHashMap<>();
    if (!missing.isEmpty()) {
      out.put("error", message());
      out.put("queue", queue);
    }
    out.putAll(summary());
    return out;
  }

  /** Names the missing ids, why they may be missing and what was done with the others. */
  String message() {
    return "queue \"" + queue + "\" has no dead letter "
        + missing.stream().map(String::valueOf).collect(Collectors.joining(", "))
        + " (replayed or purged already, or never one); " + done + " " + count + " other"
        + (count == 1 ? "" : "s");
  }
}
