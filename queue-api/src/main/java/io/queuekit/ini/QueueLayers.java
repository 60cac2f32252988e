package io.queuekit.ini;

import io.queuekit.QueueConfigException;
import io.queuekit.QueueSettings;
import io.queuekit.Setting;
import io.queuekit.internal.ConnStrings;
import io.queuekit.spi.BaseQueues;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a queue's settings are layered, as Gitea layers them: built-in defaults, then {@code [queue]},
 * then {@code [queue.NAME]}. The details follow Gitea and go-ini:
 *
 * <ul>
 *   <li>An empty value sets nothing (go-ini's {@code MapTo} skips empty strings and numbers it
 *       cannot parse), except {@code CONN_STR =} in {@code [queue.NAME]}, which Gitea special-cases
 *       to override {@code [queue]}.
 *   <li>When {@code [queue.a.b]} exists, go-ini lets it inherit from {@code [queue.a]} too.
 *   <li>The queue {@code task} has one more layer below {@code [queue]}: Gitea's {@code
 *       loadTaskFrom} gives {@code [queue.task]} the defaults {@code LENGTH = [task] QUEUE_LENGTH}
 *       (1000), and for {@code [task] QUEUE_TYPE} {@code channel} (the default) {@code TYPE =
 *       level} and {@code CONN_STR = [task] QUEUE_CONN_STR}, for {@code redis} {@code TYPE = redis}
 *       and {@code CONN_STR = [task] QUEUE_CONN_STR} (default {@code addrs=127.0.0.1:6379 db=0}).
 *       They rank below {@code [queue]}, not with {@code [queue.task]}, although Gitea writes them
 *       into {@code [queue.task]}: {@code loadTaskFrom} ({@code modules/setting/task.go}, run
 *       before {@code LoadQueueSettings}) writes each with {@code
 *       queueTaskSec.Key("TYPE").MustString(…)}, and go-ini's {@code Section.GetKey} looks a key
 *       {@code [queue.task]} lacks up in its parent {@code [queue]} ("Check if it is a
 *       child-section"), so {@code MustString} finds {@code [queue]}'s non-empty value and writes
 *       nothing. Thus {@code [queue] TYPE = level} beats {@code [task] QUEUE_TYPE = redis}.
 *   <li>Afterwards, a {@code CONN_STR} in a form its backend calls outdated (Redis's old {@code
 *       key=value}) becomes the current form ({@link
 *       io.queuekit.spi.BaseQueueFactory#currentConnStr}).
 * </ul>
 */
final class QueueLayers {
  static final String QUEUE = "queue";
  static final String PREFIX = "queue.";
  static final String TASK = "task";
  static final String TASK_SECTION = "task";
  static final String TASK_REDIS_DEFAULT = "addrs=127.0.0.1:6379 db=0";
  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://");

  /** A value in a layer, and where it was written ({@code entry} is null for a built-in default). */
  static final class Value {
    final Setting setting;
    final String text;
    final IniEntry entry;
    final String section;

    Value(Setting setting, String text, IniEntry entry, String section) {
      this.setting = setting;
      this.text = text;
      this.entry = entry;
      this.section = section;
    }

    /** {@code app.ini:12: [queue.mail] LENGTH}: where the value comes from. */
    String where(String file) {
      if (entry == null) {
        return file + ": [" + section + "] default " + setting.key();
      }
      String key = entry.key().equals(setting.key())
          ? entry.key() : entry.key() + " (as " + setting.key() + ")";
      return file + ":" + entry.line() + ": [" + entry.section() + "] " + key;
    }
  }

  /** One section's contribution. */
  static final class Layer {
    final String section;
    final Map<Setting, Value> values;

    Layer(String section, Map<Setting, Value> values) {
      this.section = section;
      this.values = Collections.unmodifiableMap(values);
    }
  }

  /** Settings and the value each key took, with its origin. */
  static final class Resolved {
    final QueueSettings settings;
    final Map<Setting, Value> effective;

    Resolved(QueueSettings settings, Map<Setting, Value> effective) {
      this.settings = settings;
      this.effective = effective;
    }
  }

  /** A failure while resolving: a bad value ({@code value} set) or keys that disagree. */
  static final class ResolveException extends QueueConfigException {
    private static final long serialVersionUID = 1L;
    final transient Value value;

    ResolveException(String message, Value value, QueueConfigException cause) {
      super(message, cause);
      this.value = value;
    }
  }

  private QueueLayers() {}

  /**
   * The type whose backend reads {@code connStr}: by its URI scheme, else by its outdated form
   * (Redis's {@code key=value}); empty when no backend on the class path claims it.
   */
  static Optional<String> writtenFor(String connStr) {
    BaseQueues backends = BaseQueues.load();
    Matcher m = SCHEME.matcher(connStr.trim());
    if (m.find()) {
      Optional<String> byScheme = backends.typeForScheme(m.group(1));
      if (byScheme.isPresent()) {
        return byScheme;
      }
    }
    return backends.currentConnStr(connStr).map(Map.Entry::getKey);
  }

  /** The canonical type a {@code TYPE} value names, empty when no backend answers to it. */
  static Optional<String> canonicalType(String value) {
    try {
      return Optional.of(BaseQueues.load().canonicalType(value));
    } catch (QueueConfigException e) {
      return Optional.empty(); // a bad TYPE is reported where it is written
    }
  }

  /** The layers for queue {@code name}, lowest first. */
  static List<Layer> layers(IniFile file, String name) {
    List<Layer> out = new ArrayList<>();
    if (name.equals(TASK)) {
      out.add(taskLayer(file));
    }
    out.add(section(file, QUEUE, false));
    if (file.section(PREFIX + name).isPresent()) {
      int dot = name.indexOf('.');
      while (dot >= 0) {
        String parent = PREFIX + name.substring(0, dot);
        if (file.section(parent).isPresent()) {
          out.add(section(file, parent, true));
        }
        dot = name.indexOf('.', dot + 1);
      }
      out.add(section(file, PREFIX + name, true));
    }
    return out;
  }

  /** The known keys of {@code sectionName}, exactly as go-ini matches them (case-sensitive). */
  static Layer section(IniFile file, String sectionName, boolean named) {
    Map<Setting, Value> values = new EnumMap<>(Setting.class);
    Optional<IniSection> s = file.section(sectionName);
    if (s.isPresent()) {
      for (Setting setting : Setting.values()) {
        s.get().entry(setting.key()).ifPresent(e -> {
          if (!e.value().isEmpty() || (named && setting == Setting.CONN_STR)) {
            values.put(setting, new Value(setting, e.value(), e, sectionName));
          }
        });
      }
    }
    return new Layer(sectionName, values);
  }

  /** The defaults Gitea's {@code loadTaskFrom} gives {@code [queue.task]} from {@code [task]}. */
  static Layer taskLayer(IniFile file) {
    Map<Setting, Value> values = new EnumMap<>(Setting.class);
    Optional<IniEntry> type = file.entry(TASK_SECTION, "QUEUE_TYPE");
    Optional<IniEntry> conn = file.entry(TASK_SECTION, "QUEUE_CONN_STR");
    Optional<IniEntry> length = file.entry(TASK_SECTION, "QUEUE_LENGTH");
    String t = type.map(IniEntry::value).filter(v -> !v.isEmpty()).orElse("channel");
    String connText = conn.map(IniEntry::value).filter(v -> !v.isEmpty()).orElse(null);
    IniEntry connEntry = connText == null ? null : conn.get();
    if (t.equals("channel") || t.equals("redis")) {
      boolean redis = t.equals("redis");
      values.put(Setting.TYPE, new Value(Setting.TYPE, redis ? "redis" : "level",
          type.filter(e -> !e.value().isEmpty()).orElse(null), TASK_SECTION));
      String c = connText != null ? connText : (redis ? TASK_REDIS_DEFAULT : "");
      values.put(Setting.CONN_STR, new Value(Setting.CONN_STR, c, connEntry, TASK_SECTION));
    }
    Optional<IniEntry> len = length.filter(e -> !e.value().isEmpty());
    values.put(Setting.LENGTH, new Value(Setting.LENGTH,
        len.map(IniEntry::value).orElse("1000"), len.orElse(null), TASK_SECTION));
    return new Layer(TASK_SECTION, values);
  }

  /** The value each key takes through {@code layers}. */
  static Map<Setting, Value> effective(List<Layer> layers) {
    Map<Setting, Value> effective = new EnumMap<>(Setting.class);
    for (Layer l : layers) {
      effective.putAll(l.values);
    }
    return effective;
  }

  /**
   * Resolves queue {@code name} through {@code layers}.
   *
   * @throws ResolveException naming file, line, section, key and value for a bad value, or file,
   *     queue and section when keys disagree
   */
  static Resolved resolve(IniFile file, String name, List<Layer> layers) {
    Map<Setting, Value> effective = effective(layers);
    QueueSettings.Builder b = QueueSettings.builder();
    for (Value v : effective.values()) {
      try {
        b.set(v.setting, v.text);
      } catch (QueueConfigException e) {
        throw new ResolveException(
            ConnStrings.mask(v.where(file.sourceName()) + ": " + e.getMessage()), v, e);
      }
    }
    QueueSettings settings;
    try {
      settings = b.build();
    } catch (QueueConfigException e) {
      String section = layers.isEmpty() ? QUEUE : layers.get(layers.size() - 1).section;
      throw new ResolveException(ConnStrings.mask(file.sourceName() + ": queue " + name
          + " (resolved through [" + section + "]): " + e.getMessage()), null, e);
    }
    // An outdated CONN_STR form its backend still reads (Redis's key=value) is read as the
    // current form, as the backend says: queue-api knows no backend's forms.
    String conn = settings.connStr();
    Optional<String> current = conn.isEmpty() ? Optional.empty()
        : BaseQueues.load().find(settings.type()).flatMap(f -> f.currentConnStr(conn));
    if (current.isPresent()) {
      settings = settings.toBuilder().connStr(current.get()).build();
    }
    return new Resolved(settings, effective);
  }
}
