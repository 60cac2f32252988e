package io.queuekit.micrometer;

import io.queuekit.QueueSettings;
import io.queuekit.conformance.ForwardingBaseQueue;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueueFactory;
import io.queuekit.spi.BaseQueues;
import io.queuekit.spi.StoreStats;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real backends, each store they open counting the {@code stats()} calls made on it, per
 * queue: what a scrape, a health check or a stats() call costs the store, counted rather than
 * timed. Every call goes to the real store.
 *
 * <p><b>Thread-safety:</b> thread-safe.
 */
final class CountingBackends implements BaseQueueFactory {
  private final BaseQueues real = BaseQueues.load();
  private final Map<String, AtomicInteger> statsCalls = new ConcurrentHashMap<>();

  /** The backends to give {@code QueueManager.Builder.backends}. */
  BaseQueues backends() {
    return BaseQueues.of(List.of(this));
  }

  /** {@code stats()} calls the store of {@code queue} got so far, failed ones included. */
  int statsCalls(String queue) {
    return counter(queue).get();
  }

  private AtomicInteger counter(String queue) {
    return statsCalls.computeIfAbsent(queue, q -> new AtomicInteger());
  }

  @Override
  public Set<String> types() {
    return real.types();
  }

  @Override
  public Optional<String> currentConnStr(String connStr) {
    return real.currentConnStr(connStr).map(Map.Entry::getValue);
  }

  @Override
  public void validate(String type, String queue, QueueSettings settings) {
    real.factory(type, queue).validate(type, queue, settings);
  }

  @Override
  public boolean enforcesGlobalMaxWorkers(String type) {
    return real.find(type).map(f -> f.enforcesGlobalMaxWorkers(type)).orElse(false);
  }

  @Override
  public boolean honoursDurability(String type) {
    return real.find(type).map(f -> f.honoursDurability(type)).orElse(false);
  }

  @Override
  public BaseQueue create(String type, BaseQueueConfig config) {
    AtomicInteger calls = counter(config.name());
    return new ForwardingBaseQueue(real.create(type, config)) {
      @Override
      public StoreStats stats() {
        calls.incrementAndGet();
        return q.stats();
      }
    };
  }

  /** Whether the queue's stats() fails now, its store not answering. */
  static boolean storeDown(io.queuekit.WorkerPoolQueue<?> q) {
    try {
      q.stats();
      return false;
    } catch (io.queuekit.QueueUnavailableException e) {
      return true;
    }
  }
}
