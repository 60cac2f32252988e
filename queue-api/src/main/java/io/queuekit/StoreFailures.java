package io.queuekit;

import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * How a store's failure reads in the pool's own log lines and health reasons. Those name the
 * queue already, and so does a store's exception message ({@code queue "mail": PostgreSQL at …
 * is unavailable (stats): …}): quoted as it is, the queue would be named twice.
 *
 * <p>A {@link QueueException} from a store is an expected operational failure (an outage, a
 * refused password, a missing key): its message says all an operator can act on, so it is logged
 * as one line. Anything else a store call throws (a backend's exception it did not wrap, an
 * Error) points at a bug, and keeps its stack trace.
 *
 * <p>Thread-safety: stateless.
 */
final class StoreFailures {
  private StoreFailures() {}

  /** How the pool's messages about {@code queue} start: {@code queue "NAME": }. */
  static String prefix(String queue) {
    return "queue \"" + queue + "\": ";
  }

  /** {@code e}'s message without a leading {@link #prefix}; {@code e} itself when it has none. */
  static String reason(String queue, Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isEmpty()) {
      return e.toString();
    }
    String prefix = prefix(queue);
    return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }

  /**
   * Logs that a store call of {@code queue} failed: {@code what} happened, then the reason on the
   * same line for an expected failure, or the stack trace for anything else.
   */
  static void log(Logger log, Level level, String queue, String what, Throwable e) {
    if (e instanceof QueueException) {
      log.atLevel(level).log("queue \"{}\": {}: {}", queue, what, reason(queue, e));
    } else {
      log.atLevel(level).setCause(e).log("queue \"{}\": {}", queue, what);
    }
  }
}
