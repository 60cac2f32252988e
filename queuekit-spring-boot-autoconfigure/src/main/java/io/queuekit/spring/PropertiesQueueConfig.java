package io.queuekit.spring;

import io.queuekit.QueueConfig;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueSettings;
import io.queuekit.Setting;
import java.util.Map;

/**
 * {@link QueueConfig} from {@code queuekit.*} over a base (the INI file or the built-in defaults):
 * {@code queuekit.defaults.*} then {@code queuekit.queues.NAME.*} are set on top of what the
 * base gives, through {@link QueueSettings.Builder#set}, so a bad value is refused with the INI
 * reader's message, prefixed by the property that held it. Immutable.
 */
final class PropertiesQueueConfig implements QueueConfig {

  private final QueueConfig base;
  private final Map<Setting, String> defaults;
  private final Map<String, Map<Setting, String>> perQueue;

  PropertiesQueueConfig(QueueConfig base, QueuekitProperties properties) {
    this.base = base;
    this.defaults = properties.getDefaults().given();
    this.perQueue = properties.getQueues().entrySet().stream()
        .collect(java.util.stream.Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> e.getValue().given()));
  }

  /** Resolves every queue the properties name, so a bad value stops start-up rather than a later create. */
  void validate() {
    settings("(any queue)");
    perQueue.keySet().forEach(this::settings);
  }

  @Override
  public QueueSettings settings(String name) {
    QueueSettings.Builder b = base.settings(name).toBuilder();
    apply(b, defaults, "queuekit.defaults.");
    apply(b, perQueue.getOrDefault(name, Map.of()), "queuekit.queues." + name + ".");
    try {
      return b.build();
    } catch (QueueConfigException e) {
      throw new QueueConfigException("queue \"" + name + "\" from queuekit.* properties: " + e.getMessage(), e);
    }
  }

  private static void apply(QueueSettings.Builder b, Map<Setting, String> given, String prefix) {
    given.forEach((key, value) -> {
      try {
        b.set(key, value);
      } catch (QueueConfigException e) {
        throw new QueueConfigException(prefix + QueueProperties.propertyName(key) + ": " + e.getMessage(), e);
      }
    });
  }
}
