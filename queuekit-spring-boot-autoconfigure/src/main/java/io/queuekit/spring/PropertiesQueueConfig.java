package io.queuekit.spring;

import io.queuekit.QueueConfig;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueSettings;
import io.queuekit.Setting;
import io.queuekit.ini.IniQueueConfig;
import io.queuekit.internal.ConnStrings;
import io.queuekit.spi.BaseQueues;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyNameException;

/**
 * {@link QueueConfig} from {@code queuekit.*} over a base (the INI file or the built-in defaults):
 * {@code queuekit.defaults.*} then {@code queuekit.queues.NAME.*} are set on top of what the
 * base gives, through {@link QueueSettings.Builder#set}, so a bad value is refused with the INI
 * reader's message, prefixed by the property that held it. The result is then checked by the
 * queue's backend as start-up would ({@link BaseQueues#validate}: its {@code CONN_STR} rules, a
 * {@code DURABILITY} or {@code GLOBAL_MAX_WORKERS} it cannot honour), the check an INI file gets
 * from {@code ConfigCheck} when it is loaded; a refusal names the property that set the value the
 * backend named, and the value, masked.
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
 * <p><b>Thread-safety:</b> safe for concurrent use; a name's settings are resolved once and kept.
 */
final class PropertiesQueueConfig implements QueueConfig {

  private final QueueConfig base;
  private final Map<Setting, String> defaults;
  private final Map<String, Map<Setting, String>> listed;
  private final Binder binder;
  /** The backends on the class path, as the manager and the INI check find them. */
  private final BaseQueues backends = BaseQueues.load();
  /**
   * Each queue's settings, once resolved and checked: a queue's settings do not change while the
   * application runs, and a backend's check, which may warn (an ignored LevelDB option), runs once.
   */
  private final ConcurrentMap<String, QueueSettings> checked = new ConcurrentHashMap<>();

  PropertiesQueueConfig(QueueConfig base, QueuekitProperties properties, Binder binder) {
    this.base = base;
    this.defaults = properties.getDefaults().given();
    this.listed = properties.getQueues().entrySet().stream()
        .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> e.getValue().given()));
    this.binder = binder;
  }

  /**
   * Resolves and checks every queue the properties or the INI file name, so a bad value stops
   * start-up rather than a later create. {@code queuekit.defaults} alone is resolved, not given to
   * a backend: a default {@code TYPE} whose {@code CONN_STR} every queue sets for itself is
   * sound, as the INI check finds a {@code [queue]} section without one.
   */
  void validate() {
    resolve("(any queue)", Map.of());
    Set<String> names = new TreeSet<>(listed.keySet());
    if (base instanceof IniQueueConfig ini) {
      names.addAll(ini.configuredQueues()); // queuekit.defaults is laid over them too
    }
    names.forEach(this::settings);
  }

  /**
   * The settings of queue {@code name}.
   *
   * @throws QueueConfigException a value the settings or the queue's backend refuse, naming the
   *     property that set it and its value, passwords masked
   */
  @Override
  public QueueSettings settings(String name) {
    return checked.computeIfAbsent(name, this::check);
  }

  private QueueSettings check(String name) {
    Map<Setting, String> own = own(name);
    QueueSettings settings = resolve(name, own);
    try {
      backends.validate(name, settings);
    } catch (QueueConfigException e) {
      throw refused(name, own, e);
    }
    return settings;
  }

  /**
   * A backend's refusal, prefixed by the property that set the value it names (the first setting
   * its message names that a property set, else the {@code TYPE} property that chose the
   * backend), with the value unless the message quotes it. Masked whole: the
   * message quotes a {@code CONN_STR}.
   */
  private QueueConfigException refused(String name, Map<Setting, String> own, QueueConfigException e) {
    String message = String.valueOf(e.getMessage());
    List<Setting> named = new ArrayList<>(named(message));
    named.add(Setting.TYPE);
    for (Setting key : named) {
      String property = property(name, own, key);
      if (property != null) {
        String value = ConnStrings.mask((own.containsKey(key) ? own : defaults).get(key).trim());
        return new QueueConfigException(ConnStrings.mask(property + ": "
            + (shows(message, key, value) ? "" : key.key() + "=" + value + ": ") + message), e);
      }
    }
    // neither the value nor the backend comes from a property: the INI file or the defaults
    return new QueueConfigException(ConnStrings.mask("queue \"" + name + "\" from queuekit.* properties: " + message), e);
  }

  /**
   * The property that set {@code key} for the queue {@code name}: {@code queuekit.queues.NAME.KEY}
   * when the queue's own properties do, else {@code queuekit.defaults.KEY} when those do, else null
   * (the INI file or the built-in default).
   */
  private String property(String name, Map<Setting, String> own, Setting key) {
    String prefix = own.containsKey(key) ? QueuekitPropertiesCheck.QUEUES + "." + name
        : defaults.containsKey(key) ? QueuekitPropertiesCheck.DEFAULTS : null;
    return prefix == null ? null : prefix + "." + QueueProperties.propertyName(key);
  }

  /** Whether {@code message} quotes the value as the key's: {@code CONN_STR=v} or {@code CONN_STR v}. */
  private static boolean shows(String message, Setting key, String value) {
    return message.contains(key.key() + "=" + value) || message.contains(key.key() + " " + value);
  }

  /**
   * The settings {@code message} names by key ({@code CONN_STR}, {@code DURABILITY=aof}), in the
   * order it names them, after the {@code queue "NAME": } it opens with (a queue name may look
   * like a key).
   */
  private static List<Setting> named(String message) {
    String m = message.replaceFirst("^queue \"[^\"]*\": ", "");
    Map<Integer, Setting> at = new TreeMap<>();
    for (Setting s : Setting.values()) {
      Matcher found = Pattern.compile("(?<![A-Za-z0-9_])" + s.key() + "(?![A-Za-z0-9_])").matcher(m);
      if (found.find()) {
        at.put(found.start(), s);
      }
    }
    return List.copyOf(at.values());
  }

  /**
   * The base's settings for {@code name} with {@code queuekit.defaults} and then {@code own} set on
   * top. Settings that contradict each other ({@code RETRY_DELAY_MAX} shorter than {@code
   * RETRY_DELAY}) are refused naming each property that set one of them, values in the message.
   */
  private QueueSettings resolve(String name, Map<Setting, String> own) {
    QueueSettings.Builder b = base.settings(name).toBuilder();
    apply(b, defaults, QueuekitPropertiesCheck.DEFAULTS + ".");
    apply(b, own, QueuekitPropertiesCheck.QUEUES + "." + name + ".");
    try {
      return b.build();
    } catch (QueueConfigException e) {
      String message = String.valueOf(e.getMessage());
      List<String> set = named(message).stream().map(key -> property(name, own, key))
          .filter(Objects::nonNull).toList();
      throw new QueueConfigException(ConnStrings.mask(set.isEmpty()
          ? "queue \"" + name + "\" from queuekit.* properties: " + message
          : String.join(", ", set) + ": queue \"" + name + "\": " + message), e);
    }
  }

  /** The settings {@code queuekit.queues.NAME} gives the queue {@code name}. */
  private Map<Setting, String> own(String name) {
    Map<Setting, String> given = listed.get(name);
    return given != null ? given : bind(name);
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
