package io.queuekit;

import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueueFactory;
import java.util.Map;
import java.util.Set;

/**
 * The names of the published backends, for queue-api's own tests: the real backends depend on
 * queue-api, so its tests cannot load them, yet its INI tests read {@code TYPE = redis}. Each type
 * opens a {@link FakeBaseQueue}; no {@code CONN_STR} rules (those are each backend's, and tested
 * there). Found by {@link java.util.ServiceLoader} through the test class path only.
 */
public final class FakeBackends implements BaseQueueFactory {
  @Override
  public Set<String> types() {
    return Set.of("level", "channel", "redis", "dummy", "immediate");
  }

  @Override
  public Map<String, String> aliases() {
    return Map.of("leveldb", "level", "levelqueue", "level");
  }

  @Override
  public Map<String, String> formerNames() {
    return Map.of("unique-level", "level", "persistable-channel", "level",
        "unique-persistable-channel", "level", "wrapped", "level", "unique-channel", "channel",
        "unique-redis", "redis");
  }

  /** As the real backends: only redis enforces GLOBAL_MAX_WORKERS. */
  @Override
  public boolean enforcesGlobalMaxWorkers(String type) {
    return "redis".equals(type);
  }

  /** As the real backends: only redis waits as DURABILITY asks. */
  @Override
  public boolean honoursDurability(String type) {
    return "redis".equals(type);
  }

  @Override
  public BaseQueue create(String type, BaseQueueConfig config) {
    return new FakeBaseQueue(config.name());
  }
}
