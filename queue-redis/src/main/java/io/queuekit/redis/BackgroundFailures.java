package io.queuekit.redis;

import io.lettuce.core.RedisCommandExecutionException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a queue's background work (beats, the reaper, the promoter, the room watcher's count)
 * reports what it could not do.
 * Nothing waits on that work, so nobody else would hear of it. An outage (no connection, a
 * timeout, a server loading, failing over or busy) is logged at DEBUG: the claim loop and the
 * pushes already report it once when it starts and once when it ends, and the work runs again at
 * the next beat. Anything else is a fault that the next beat would meet again, such as a script
 * refusing a key of the wrong type. A reaper that fails that way leaves a dead consumer's items
 * unrecovered, so it is logged at WARN with the server's message (which names the key). Each
 * distinct message is warned once until the task next succeeds, so a fault is not repeated at
 * every beat.
 *
 * <p><b>Thread-safety:</b> safe for any number of threads; one instance per queue (or beat
 * group).
 */
final class BackgroundFailures {
  private static final Logger log = LoggerFactory.getLogger(RedisQueue.class);

  private final String who;
  /**
   * Per task, the message last warned about, until that task succeeds: per task, so that one
   * task's success does not re-arm another's warning, nor two failing tasks take turns.
   */
  private final Map<String, String> warned = new ConcurrentHashMap<>();

  /** @param who what the log lines name, e.g. {@code queue "orders"} */
  BackgroundFailures(String who) {
    this.who = who;
  }

  /** {@code task} (e.g. "reaper"), which runs again at the next beat, failed with {@code e}. */
  void failed(String task, Throwable e) {
    failed(task, e, "it runs again at the next beat");
  }

  /**
   * {@code task} failed with {@code e}; {@code then} says what happens next (the warning's
   * words, e.g. "it runs again at the next beat").
   */
  void failed(String task, Throwable e, String then) {
    Throwable cause = unwrap(e);
    String message = String.valueOf(cause.getMessage());
    if (!fault(cause)) {
      log.debug("{}: {} could not run (Redis unavailable): {}", who, task, message);
    } else if (!message.equals(warned.put(task, message))) {
      log.warn("{}: {} failed; {}: {}", who, task, then, message, cause);
    } else {
      log.debug("{}: {} failed again: {}", who, task, message);
    }
  }

  /** {@code task} ran: a fault it meets again after this is warned about again. */
  void succeeded(String task) {
    if (!warned.isEmpty()) {
      warned.remove(task);
    }
  }

  /** Whether {@code e} is a fault rather than an outage; see the class javadoc. */
  static boolean fault(Throwable e) {
    Throwable cause = unwrap(e);
    if (cause instanceof RedisCalls.Unavailable) {
      return false;
    }
    if (cause instanceof RedisCommandExecutionException) {
      return !RedisCalls.transientReply(String.valueOf(cause.getMessage()));
    }
    // Lettuce's other exceptions are the connection's (closed, timed out); any other runtime
    // exception (a QueueException, a bug) or Error would come back at every beat
    return cause instanceof Error
        || cause instanceof RuntimeException && !(cause instanceof io.lettuce.core.RedisException);
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
