package io.queuekit.dummy;

import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueueFactory;
import java.util.Set;

/**
 * Serves {@code TYPE=dummy} (discards every item) and {@code TYPE=immediate} (handles every item
 * in the pushing thread). Found by {@link java.util.ServiceLoader}. Thread-safe.
 */
public final class DummyQueueFactory implements BaseQueueFactory {
  @Override
  public Set<String> types() {
    return Set.of("dummy", "immediate");
  }

  @Override
  public BaseQueue create(String type, BaseQueueConfig config) {
    return new DummyQueue(config,
        "immediate".equals(type) ? BaseQueue.Mode.IMMEDIATE : BaseQueue.Mode.DISCARDING);
  }
}
