package io.queuekit;

/**
 * How a store's failure reads in the pool's own log lines and health reasons. Those name the
 * queue already, and so does a store's exception message ({@code queue "mail": PostgreSQL at …
 * is unavailable (stats): …}): quoted as it is, the queue would be named twice.
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
}
