package io.queuekit.spring;

import io.queuekit.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.core.ResolvableType;

/**
 * Warnings for mistyped {@code queuekit.*} settings, which Spring's binder would ignore
 * silently: a key under {@code queuekit.defaults} or {@code queuekit.queues.NAME} that is no
 * setting, with the closest one by {@link Setting#closest} (as the INI reader warns of one in
 * {@code [queue.NAME]}), a {@code queuekit.queues.NAME} that no queue uses at start-up, and an
 * environment variable for a queue whose name holds a {@code _} when no queue of that name is
 * there to claim it.
 *
 * <p>Warnings, not errors, as in the INI reader (and as Gitea ignores unknown keys): a property
 * meant for a newer queuekit, or one a shared configuration sets for another service, must not
 * stop this one. {@code @ConfigurationProperties(ignoreUnknownFields = false)} would stop it, and
 * would not say which key was meant.
 *
 * <p><b>Thread-safety:</b> stateless.
 */
final class QueuekitPropertiesCheck {

  static final String DEFAULTS = "queuekit.defaults";
  static final String QUEUES = "queuekit.queues";
  static final String ADMIN = "queuekit.admin";

  private QueuekitPropertiesCheck() {}

  /**
   * A warning per key under {@code queuekit.defaults} and {@code queuekit.queues.NAME} that binds
   * to no setting. The keys are read by binding those prefixes to maps, so they are what Spring's
   * binder sees (every property source, relaxed names, placeholders resolved); a key is known
   * when it names a setting as the binding of {@link QueueProperties} matches it.
   *
   * <p>An environment variable that reads as a setting of a queue whose name holds a {@code _}
   * ({@link #underscoredQueueVariables}) is not reported here: whether a queue claims it is known
   * only once the application's queues are.
   */
  static List<String> unknownKeys(Iterable<ConfigurationPropertySource> sources) {
    List<String> warnings = new ArrayList<>();
    keys(sources, (prefix, key) -> {
      if (setting(key) == null && !fromEnvironmentVariable(sources, prefix, key)
          && underscoredQueue(sources, prefix, key).isEmpty()) {
        Optional<Setting> closest = Setting.closest(key.replace('-', '_').replace('.', '_'));
        warnings.add(prefix + "." + key + ": unknown key, ignored" + closest.map(c -> "; did you"
            + " mean " + prefix + "." + QueueProperties.propertyName(c) + " (" + c.key() + ")?")
            .orElse(" (no queue setting is spelt like it)"));
      }
    });
    return warnings;
  }

  /**
   * A warning per environment variable that reads as a setting of a queue whose name holds a
   * {@code _} ({@code QUEUEKIT_QUEUES_ISSUE_INDEXER_BATCH_LENGTH}: {@code issue_indexer}'s {@code
   * batch-length}) when none of {@code queues} claims it. Spring lists such a variable as {@code
   * queuekit.queues.issue.indexer.batch.length}, and binds it only for a queue name it is asked
   * for; a queue claims it when Spring maps that queue's setting to this very variable (the
   * question {@link PropertiesQueueConfig} asks when the queue is created), so nothing is guessed.
   */
  static List<String> underscoredQueueVariables(Iterable<ConfigurationPropertySource> sources,
      Set<String> queues) {
    List<String> warnings = new ArrayList<>();
    keys(sources, (prefix, key) -> {
      if (setting(key) != null || fromEnvironmentVariable(sources, prefix, key)) {
        return;
      }
      Optional<Underscored> found = underscoredQueue(sources, prefix, key);
      if (found.isEmpty() || claimed(sources, found.get(), queues)) {
        return;
      }
      Underscored u = found.get();
      warnings.add(u.variable() + ": no queue named "
          + u.readings().stream().map(Reading::queue).distinct().collect(Collectors.joining(" or "))
          + " at start-up (queues: " + inUse(queues) + "), so this variable, read as "
          + u.readings().stream().map(r -> QUEUES + "." + r.queue() + "." + QueueProperties.propertyName(r.setting()))
              .collect(Collectors.joining(" or "))
          + ", is unused unless such a queue is created later (an environment variable writes the"
          + " name's _ as it writes the . between names, so only a queue of that name can claim"
          + " it); is the name mistyped?");
    });
    return warnings;
  }

  /**
   * Calls {@code check} with each key under {@code queuekit.defaults} and {@code
   * queuekit.queues.NAME} (and that prefix), as Spring's binder lists them, sorted.
   */
  private static void keys(Iterable<ConfigurationPropertySource> sources, BiConsumer<String, String> check) {
    Binder binder = new Binder(sources);
    binder.bind(DEFAULTS, Bindable.mapOf(String.class, String.class))
        .ifBound(keys -> new TreeSet<>(keys.keySet()).forEach(key -> check.accept(DEFAULTS, key)));
    ResolvableType perQueue = ResolvableType.forClassWithGenerics(Map.class,
        ResolvableType.forClass(String.class), ResolvableType.forClassWithGenerics(Map.class, String.class, String.class));
    binder.<Map<String, Map<String, String>>>bind(QUEUES, Bindable.of(perQueue))
        .ifBound(queues -> new TreeSet<>(queues.keySet()).forEach(queue -> new TreeSet<>(
            queues.get(queue).keySet()).forEach(key -> check.accept(QUEUES + "." + queue, key))));
  }

  /** The setting {@code key} binds to, or null: one name element equal to the setting's, relaxed. */
  static Setting setting(String key) {
    ConfigurationPropertyName name = ConfigurationPropertyName.adapt(key, '.');
    return name.getNumberOfElements() == 1 ? byUniformName(name.getElement(0, Form.UNIFORM)) : null;
  }

  /**
   * True if {@code key} is a setting written as an environment variable: Spring reads {@code
   * QUEUEKIT_QUEUES_MAIL_MAX_WORKERS} as {@code queuekit.queues.mail.max.workers} when listing
   * names, yet binds it to {@code max-workers}, so its elements are joined before comparing.
   */
  private static boolean fromEnvironmentVariable(Iterable<ConfigurationPropertySource> sources,
      String prefix, String key) {
    ConfigurationPropertyName name = ConfigurationPropertyName.adapt(prefix + "." + key, '.');
    ConfigurationPropertyName under = ConfigurationPropertyName.adapt(prefix, '.');
    return byUniformName(joined(name, under.getNumberOfElements(), name.getNumberOfElements())) != null
        && variable(sources, name) != null;
  }

  /**
   * An environment variable read as the setting of a queue whose name holds a {@code _}, and each
   * way to read it so: the elements Spring split it into after {@code queuekit.queues} are a
   * queue name of two or more (joined by {@code _}), then a setting.
   */
  record Underscored(String variable, List<Reading> readings) {}

  /** One way to read an {@link Underscored} variable: this queue's setting. */
  record Reading(String queue, Setting setting) {}

  private static Optional<Underscored> underscoredQueue(Iterable<ConfigurationPropertySource> sources,
      String prefix, String key) {
    if (!prefix.startsWith(QUEUES + ".")) {
      return Optional.empty();
    }
    ConfigurationPropertyName name = ConfigurationPropertyName.adapt(prefix + "." + key, '.');
    int first = ConfigurationPropertyName.of(QUEUES).getNumberOfElements();
    List<Reading> readings = new ArrayList<>();
    for (int end = first + 2; end < name.getNumberOfElements(); end++) {
      Setting setting = byUniformName(joined(name, end, name.getNumberOfElements()));
      if (setting != null) {
        List<String> queue = new ArrayList<>();
        for (int i = first; i < end; i++) {
          queue.add(name.getElement(i, Form.UNIFORM));
        }
        readings.add(new Reading(String.join("_", queue), setting));
      }
    }
    String variable = readings.isEmpty() ? null : variable(sources, name);
    return variable == null ? Optional.empty() : Optional.of(new Underscored(variable, List.copyOf(readings)));
  }

  /**
   * Whether one of {@code queues} claims the variable: Spring maps that queue's setting, bound by
   * its name as {@link PropertiesQueueConfig} binds it, to this very variable.
   */
  private static boolean claimed(Iterable<ConfigurationPropertySource> sources, Underscored u, Set<String> queues) {
    for (String queue : queues) {
      ConfigurationPropertyName own = PropertiesQueueConfig.propertiesOf(queue);
      for (Reading r : own == null ? List.<Reading>of() : u.readings()) {
        ConfigurationPropertyName name = own.append(QueueProperties.propertyName(r.setting()));
        for (ConfigurationPropertySource source : sources) {
          ConfigurationProperty p = source.getConfigurationProperty(name);
          if (p != null && u.variable().equals(spelling(p))) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * The name as its source writes it, when the source is one whose {@code _} Spring reads as the
   * {@code .} between names ({@code QUEUEKIT_QUEUES_MAIL_MAX_WORKERS} for {@code
   * queuekit.queues.mail.max.workers}: the system environment, or any source Spring maps alike);
   * null when no source holds {@code name} so.
   */
  private static String variable(Iterable<ConfigurationPropertySource> sources, ConfigurationPropertyName name) {
    for (ConfigurationPropertySource source : sources) {
      ConfigurationProperty p = source.getConfigurationProperty(name);
      String spelt = p == null ? null : spelling(p);
      // the name Spring lists is the spelling cut at each "_"
      if (spelt != null && spelt.indexOf('_') >= 0
          && ConfigurationPropertyName.adapt(spelt.toLowerCase(Locale.ROOT).replace('_', '.'), '.').equals(name)) {
        return spelt;
      }
    }
    return null;
  }

  /** The property's name in its property source, or null when its origin does not say. */
  private static String spelling(ConfigurationProperty p) {
    return p.getOrigin() instanceof PropertySourceOrigin o ? o.getPropertyName() : null;
  }

  /** The uniform forms of {@code name}'s elements {@code from} (inclusive) to {@code to}, joined. */
  private static String joined(ConfigurationPropertyName name, int from, int to) {
    StringBuilder joined = new StringBuilder();
    for (int i = from; i < to; i++) {
      joined.append(name.getElement(i, Form.UNIFORM));
    }
    return joined.toString();
  }

  private static Setting byUniformName(String uniform) {
    for (Setting s : Setting.values()) {
      if (s.name().replace("_", "").toLowerCase(Locale.ROOT).equals(uniform)) {
        return s;
      }
    }
    return null;
  }

  /**
   * A warning per queue name under {@code queuekit.queues} that is not in {@code used} (the
   * queues created at start-up and those declared by handler methods or QueueSpec beans).
   */
  static List<String> unusedQueues(Set<String> configured, Set<String> used) {
    List<String> warnings = new ArrayList<>();
    for (String name : new TreeSet<>(configured)) {
      if (!used.contains(name)) {
        warnings.add(QUEUES + "." + name + ": no queue named \"" + name + "\" at start-up (queues: "
            + inUse(used) + "), so these settings are unused unless one is created later; is the name mistyped?");
      }
    }
    return warnings;
  }

  /** The queue names, sorted, for a warning: "none" when there are none. */
  private static String inUse(Set<String> queues) {
    return queues.isEmpty() ? "none" : String.join(", ", new TreeSet<>(queues));
  }
}
