package io.queuekit.spring;

import io.queuekit.QueueConfig;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueSettings;
import io.queuekit.Setting;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyNameException;

/**
 * {@link QueueConfig} from {@code queuekit.*} over a base (the INI file or the built-in defaults):
 * {@code queuekit.defaults.*} then {@code queuekit.queues.NAME.*} are set on top of what the
 * base gives, through {@link QueueSettings.Builder#set}, so a bad value is refused with the INI
 * reader's message, prefixed by the property that held it.
 *
 * <p>A queue's own properties are those Spring bound under {@code queuekit.queues}; for a name not
 * among them, those bound for that exact name ({@code queuekit.queues[NAME]}) when its settings
 * are first asked for. That is how an environment variable reaches a queue whose name holds a
 * {@code _}: Spring lists {@code QUEUEKIT_QUEUES_ISSUE_INDEXER_BATCH_LENGTH} as {@code
 * queuekit.queues.issue.indexer.batch.length}, which no map binding can read back as the queue
 * {@code issue_indexer}, but binding the name {@code issue_indexer} maps it to that variable, as
 * Spring does for a queue the application's YAML lists. Nothing is guessed: only a queue the
 * manager is asked for claims a variable.
 *
 * <p><b>Thread-safety:</b> safe for concurrent use; the properties bound for a name are bound once
 * and kept, so a queue's settings do not change while the application runs.
 */
final class PropertiesQueueConfig implements QueueConfig {

  private final QueueConfig base;
  private final Map<Setting, String> defaults;
  private final Map<String, Map<Setting, String>> listed;
  private final Binder binder;
  /** Per name not under {@link #listed}: what binding {@code queuekit.queues[NAME]} gave. */
  private final ConcurrentMap<String, Map<Setting, String>> boundByName = new ConcurrentHashMap<>();

  PropertiesQueueConfig(QueueConfig base, QueuekitProperties properties, Binder binder) {
    this.base = base;
    this.defaults = properties.getDefaults().given();
    this.listed = properties.getQueues().entrySet().stream()
        .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> e.getValue().given()));
    this.binder = binder;
  }

  /** Resolves every queue the properties name, so a bad value stops start-up rather than a later create. */
  void validate() {
    resolve("(any queue)", Map.of());
    listed.keySet().forEach(this::settings);
  }

  @Override
  public QueueSettings settings(String name) {
    return resolve(name, own(name));
  }

  /** The base's settings for {@code name} with {@code queuekit.defaults} and then {@code own} set on top. */
  private QueueSettings resolve(String name, Map<Setting, String> own) {
    QueueSettings.Builder b = base.settings(name).toBuilder();
    apply(b, defaults, QueuekitPropertiesCheck.DEFAULTS + ".");
    apply(b, own, QueuekitPropertiesCheck.QUEUES + "." + name + ".");
    try {
      return b.build();
    } catch (QueueConfigException e) {
      throw new QueueConfigException("queue \"" + name + "\" from queuekit.* properties: " + e.getMessage(), e);
    }
  }

  /** The settings {@code queuekit.queues.NAME} gives the queue {@code name}. */
  private Map<Setting, String> own(String name) {
    Map<Setting, String> given = listed.get(name);
    return given != null ? given : boundByName.computeIfAbsent(name, this::bind);
  }

  private Map<Setting, String> bind(String name) {
    ConfigurationPropertyName key = propertiesOf(name);
    return key == null ? Map.of()
        : binder.bind(key, Bindable.of(QueueProperties.class)).map(QueueProperties::given).orElse(Map.of());
  }

  /**
   * {@code queuekit.queues[NAME]}: the queue's properties by its exact name (the brackets keep a
   * {@code _} or {@code .} in it), or null for a name no property can spell (one holding a
   * {@code ]}), which no property can set.
   */
  static ConfigurationPropertyName propertiesOf(String name) {
    try {
      return ConfigurationPropertyName.of(QueuekitPropertiesCheck.QUEUES + "[" + name + "]");
    } catch (InvalidConfigurationPropertyNameException e) {
      return null;
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
