package io.queuekit.spring;

import io.queuekit.Setting;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Warnings for mistyped {@code queuekit.*} settings, which Spring's binder would ignore
 * silently: a key under {@code queuekit.defaults} or {@code queuekit.queues.NAME} that is no
 * setting, with the closest one by {@link Setting#closest} (as the INI reader warns of one in
 * {@code [queue.NAME]}), and a {@code queuekit.queues.NAME} that no queue uses at start-up.
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

  private QueuekitPropertiesCheck() {}

  /**
   * A warning per key under {@code queuekit.defaults} and {@code queuekit.queues.NAME} that binds
   * to no setting. The keys are read by binding those prefixes to maps, so they are what Spring's
   * binder sees (every property source, relaxed names, placeholders resolved); a key is known
   * when it names a setting as the binding of {@link QueueProperties} matches it.
   */
  static List<String> unknownKeys(Iterable<ConfigurationPropertySource> sources) {
    Binder binder = new Binder(sources);
    List<String> warnings = new ArrayList<>();
    binder.bind(DEFAULTS, Bindable.mapOf(String.class, String.class))
        .ifBound(keys -> check(sources, DEFAULTS, keys.keySet(), warnings));
    ResolvableType perQueue = ResolvableType.forClassWithGenerics(Map.class,
        ResolvableType.forClass(String.class), ResolvableType.forClassWithGenerics(Map.class, String.class, String.class));
    binder.<Map<String, Map<String, String>>>bind(QUEUES, Bindable.of(perQueue))
        .ifBound(queues -> new TreeSet<>(queues.keySet()).forEach(
            queue -> check(sources, QUEUES + "." + queue, queues.get(queue).keySet(), warnings)));
    return warnings;
  }

  private static void check(Iterable<ConfigurationPropertySource> sources, String prefix,
      Collection<String> keys, List<String> warnings) {
    for (String key : new TreeSet<>(keys)) {
      if (setting(key) == null && !fromEnvironmentVariable(sources, prefix, key)) {
        Optional<Setting> closest = Setting.closest(key.replace('-', '_').replace('.', '_'));
        warnings.add(prefix + "." + key + ": unknown key, ignored" + closest.map(c -> "; did you"
            + " mean " + prefix + "." + QueueProperties.propertyName(c) + " (" + c.key() + ")?")
            .orElse(" (no queue setting is spelt like it)"));
      }
    }
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
    StringBuilder joined = new StringBuilder();
    for (int i = under.getNumberOfElements(); i < name.getNumberOfElements(); i++) {
      joined.append(name.getElement(i, Form.UNIFORM));
    }
    if (byUniformName(joined.toString()) == null) {
      return false;
    }
    for (ConfigurationPropertySource source : sources) {
      if (source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource
          && source.getConfigurationProperty(name) != null) {
        return true;
      }
    }
    return false;
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
            + (used.isEmpty() ? "none" : String.join(", ", new TreeSet<>(used)))
            + "), so these settings are unused unless one is created later; is the name mistyped?");
      }
    }
    return warnings;
  }
}
