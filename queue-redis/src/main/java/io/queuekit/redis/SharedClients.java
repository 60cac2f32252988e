package io.queuekit.redis;

import io.queuekit.QueueUnavailableException;
import java.util.HashMap;
import java.util.Map;

/**
 * The clients one {@link RedisQueueFactory} shares among its queues: one {@link SharedClient} per
 * connection string, opened by the first queue that uses it and closed when the last one lets go
 * (reference-counted, as Gitea's nosql manager does). Owned by the factory instead of a static
 * map: managers that load the installed backends share one factory (BaseQueues.load() caches
 * them per class loader), so their queues share clients and one beat; a manager given a factory
 * of its own, or a test, shares nothing with them.
 *
 * <p><b>Thread-safety:</b> {@link #acquire} and {@link #release} are synchronized on this
 * registry. A first use that retries the connection holds it meanwhile, so a second queue on the
 * same string waits for that outcome instead of opening a client of its own.
 */
final class SharedClients {
  /** Guarded by this. */
  private final Map<String, SharedClient> clients = new HashMap<>();
  /** Guarded by this: how many queues hold each client. */
  private final Map<SharedClient, Integer> refs = new HashMap<>();
  /**
   * Guarded by this: why each connection string a {@link SharedClient.StartPolicy#tryOnce} policy
   * could not open failed. Kept for the registry's life, which is a short-lived tool's.
   */
  private final Map<String, QueueUnavailableException> failed = new HashMap<>();

  /**
   * The shared client for {@code conn}, connecting (with {@code policy}'s retries) on first use.
   * With {@link SharedClient.StartPolicy#tryOnce}, a string that failed so before fails again at
   * once, saying so.
   *
   * @throws io.queuekit.QueueUnavailableException naming the queue and the masked address when
   *     Redis cannot be reached in time, or refuses the credentials
   */
  synchronized SharedClient acquire(RedisConnStr conn, String queue,
      SharedClient.StartPolicy policy) {
    String key = conn.clientKey();
    QueueUnavailableException earlier = failed.get(key);
    if (earlier != null) {
      // its message names the first queue and the masked address
      throw new QueueUnavailableException("queue \"" + queue + "\": not tried again, as for "
          + earlier.getMessage(), earlier);
    }
    SharedClient c;
    try {
      c = clients.computeIfAbsent(key, k -> SharedClient.open(this, conn, queue, policy));
    } catch (QueueUnavailableException e) {
      if (policy.tryOnce()) {
        failed.put(key, e);
      }
      throw e;
    }
    refs.merge(c, 1, Integer::sum);
    return c;
  }

  /** Lets go of one reference to {@code c}; returns whether it was the last (close it then). */
  synchronized boolean release(SharedClient c) {
    int left = refs.merge(c, -1, Integer::sum);
    if (left > 0) {
      return false;
    }
    refs.remove(c);
    clients.values().remove(c);
    return true;
  }
}
