package io.queuekit.spi;

import io.queuekit.QueueConfigException;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Finds backends by {@code TYPE} through {@link ServiceLoader}. {@code queue-api} never depends on
 * a backend module: a type is available iff its jar is on the class path.
 *
 * <p><b>Thread-safety:</b> immutable after construction.
 */
public final class BaseQueues {
  private final Map<String, BaseQueueFactory> byType;

  private BaseQueues(Map<String, BaseQueueFactory> byType) {
    this.byType = byType;
  }

  /** The backends visible to {@code loader}. */
  public static BaseQueues load(ClassLoader loader) {
    Map<String, BaseQueueFactory> byType = new TreeMap<>();
    for (BaseQueueFactory factory : ServiceLoader.load(BaseQueueFactory.class, loader)) {
      for (String type : factory.types()) {
        byType.putIfAbsent(type, factory);
      }
    }
    return new BaseQueues(Map.copyOf(byType));
  }

  /** The backends visible to this class's loader. */
  public static BaseQueues load() {
    return load(BaseQueues.class.getClassLoader());
  }

  /** Canonical type names available, sorted. */
  public TreeSet<String> types() {
    return new TreeSet<>(byType.keySet());
  }

  /**
   * The factory serving {@code type}.
   *
   * @throws QueueConfigException when no backend on the class path serves it, listing those that do
   */
  /** The factory serving {@code type}, if one is on the class path. */
  public java.util.Optional<BaseQueueFactory> find(String type) {
    return java.util.Optional.ofNullable(byType.get(type));
  }

  public BaseQueueFactory factory(String type, String queue) {
    BaseQueueFactory factory = byType.get(type);
    if (factory == null) {
      throw new QueueConfigException("queue \"" + queue + "\": no backend for TYPE=" + type
          + " on the class path; available: " + String.join(", ", types())
          + " (add the queue-" + type + " module to use it)");
    }
    return factory;
  }

  /** Opens the named queue with the backend serving {@code type}. */
  public BaseQueue create(String type, BaseQueueConfig config) {
    return factory(type, config.name()).create(type, config);
  }
}
