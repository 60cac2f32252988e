package io.queuekit.ini;

import io.queuekit.QueueConfigException;
import io.queuekit.QueueSettings;
import io.queuekit.Setting;
import io.queuekit.internal.ConnStrings;
import io.queuekit.spi.BaseQueues;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
      throw disagreement(file, name, layers, e);
    }
    return new Resolved(current(settings), effective);
  }

  private static ResolveException disagreement(IniFile file, String name, List<Layer> layers,
      QueueConfigException e) {
    String section = layers.isEmpty() ? QUEUE : layers.get(layers.size() - 1).section;
    return new ResolveException(ConnStrings.mask(file.sourceName() + ": queue " + name
        + " (resolved through [" + section + "]): " + e.getMessage()), null, e);
  }

  /**
   * An outdated CONN_STR form its backend still reads (Redis's key=value) is read as the current
   * form, as the backend says: queue-api knows no backend's forms.
   */
  private static QueueSettings current(QueueSettings settings) {
    String conn = settings.connStr();
    Optional<String> current = conn.isEmpty() ? Optional.empty()
        : BaseQueues.load().find(settings.type()).flatMap(f -> f.currentConnStr(conn));
    return current.isPresent() ? settings.toBuilder().connStr(current.get()).build() : settings;
  }

  /**
   * A queue resolved for {@link ConfigCheck}, which reports every problem rather than the first:
   * a bad value is left out ({@link #bad}; it is reported where it is written, and the default
   * stands in for it), and when keys disagree ({@link #disagreement}) the settings are built
   * without the keys its message names, so that the checks of the other keys still run.
   */
  static final class Lenient {
    final Map<Setting, Value> effective;
    /** The settings whose value is bad, left out. */
    final Set<Setting> bad;
    /** Keys that disagree ({@code RETRY_DELAY_MAX} below {@code RETRY_DELAY}), or null. */
    final ResolveException disagreement;
    /**
     * The settings from the values that are neither bad nor disagree; null when none could be
     * built (the failure is then suppressed in {@link #disagreement}).
     */
    final QueueSettings settings;
    /** The bad settings and those the disagreement names: the default stands in for each. */
    private final Set<Setting> leftOut;

    private Lenient(Map<Setting, Value> effective, Set<Setting> bad,
        ResolveException disagreement, QueueSettings settings) {
      this.effective = effective;
      this.bad = Set.copyOf(bad);
      this.disagreement = disagreement;
      this.settings = settings;
      Set<Setting> out = EnumSet.noneOf(Setting.class);
      out.addAll(bad);
      if (disagreement != null) {
        out.addAll(namedIn(disagreement.getCause().getMessage()));
      }
      this.leftOut = Set.copyOf(out);
    }

    /** Whether the keys disagree for a reason of their own, not a bad value's default. */
    boolean disagrees() {
      return disagreement != null
          && namedIn(disagreement.getCause().getMessage()).stream().noneMatch(bad::contains);
    }

    /**
     * Whether {@code message} names a key whose value was left out: it is then about the default
     * that stood in for it, not about the file, and may say something false.
     */
    boolean aboutLeftOut(String message) {
      return namedIn(message).stream().anyMatch(leftOut::contains);
    }
  }

  /** The settings {@code message} names as "KEY=value". */
  private static Set<Setting> namedIn(String message) {
    Set<Setting> out = EnumSet.noneOf(Setting.class);
    for (Setting s : Setting.values()) {
      if (named(message, s.key()) >= 0) {
        out.add(s);
      }
    }
    return out;
  }

  /** Resolves queue {@code name} through {@code layers} for the check ({@link Lenient}). */
  static Lenient resolveLenient(IniFile file, String name, List<Layer> layers) {
    Map<Setting, Value> effective = effective(layers);
    Set<Setting> bad = EnumSet.noneOf(Setting.class);
    QueueSettings.Builder b = QueueSettings.builder();
    for (Value v : effective.values()) {
      try {
        b.set(v.setting, v.text);
      } catch (QueueConfigException e) {
        bad.add(v.setting); // ConfigCheck reports it at the line that writes it
      }
    }
    try {
      return new Lenient(effective, bad, null, current(b.build()));
    } catch (QueueConfigException e) {
      ResolveException d = disagreement(file, name, layers, e);
      QueueSettings.Builder without = QueueSettings.builder();
      for (Value v : effective.values()) {
        if (!bad.contains(v.setting) && named(e.getMessage(), v.setting.key()) < 0) {
          without.set(v.setting, v.text);
        }
      }
      QueueSettings settings = null;
      try {
        settings = current(without.build());
      } catch (QueueConfigException again) {
        d.addSuppressed(again); // the checks that need settings are skipped
      }
      return new Lenient(effective, bad, d, settings);
    }
  }

  /** Where {@code message} names {@code key} as "KEY=value" (a whole key), or -1. */
  static int named(String message, String key) {
    String k = key.toUpperCase(Locale.ROOT) + "=";
    for (int i = message.indexOf(k); i >= 0; i = message.indexOf(k, i + 1)) {
      if (i == 0 || !(Character.isLetterOrDigit(message.charAt(i - 1))
          || message.charAt(i - 1) == '_')) {
        return i;
      }
    }
    return -1;
  }
}
