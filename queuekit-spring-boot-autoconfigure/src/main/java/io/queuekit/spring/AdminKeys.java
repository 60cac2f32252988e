package io.queuekit.spring;

import io.queuekit.internal.Typos;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;

/**
 * Warnings for keys under {@code queuekit.admin} that are no admin setting ({@code enabeld},
 * {@code tokn}), which Spring's binder would ignore silently, with the key meant when one is
 * close: as {@link QueuekitPropertiesCheck} warns of a mistyped queue setting. The keys are read
 * as the binder sees them (every property source, relaxed names, environment variables).
 *
 * <p><b>Thread-safety:</b> stateless.
 */
final class AdminKeys {

  /** The {@link QueuekitProperties.Admin} properties, as documented. */
  static final List<String> KNOWN = List.of("enabled", "host", "port", "token", "login-url-file", "allow-remote");

  private AdminKeys() {}

  static List<String> unknown(Iterable<ConfigurationPropertySource> sources) {
    List<String> warnings = new ArrayList<>();
    new Binder(sources).bind(QueuekitPropertiesCheck.ADMIN, Bindable.mapOf(String.class, String.class))
        .ifBound(keys -> new TreeSet<>(keys.keySet()).forEach(key -> {
          String uniform = uniform(key);
          if (KNOWN.stream().noneMatch(k -> uniform(k).equals(uniform))) {
            warnings.add(QueuekitPropertiesCheck.ADMIN + "." + key + ": unknown key, ignored" + closest(uniform)
                .map(k -> "; did you mean " + QueuekitPropertiesCheck.ADMIN + "." + k + "?")
                .orElse(" (the admin keys: " + String.join(", ", KNOWN) + ")"));
          }
        }));
    return warnings;
  }

  /**
   * The name's elements in their uniform form, joined: {@code loginUrlFile}, {@code
   * login-url-file} and {@code login.url.file} (an environment variable, as Spring lists it) match.
   */
  private static String uniform(String key) {
    ConfigurationPropertyName name = ConfigurationPropertyName.adapt(key, '.');
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < name.getNumberOfElements(); i++) {
      b.append(name.getElement(i, Form.UNIFORM));
    }
    return b.toString();
  }

  /** The known key closest to {@code uniform}, unless more than two edits (or a third) away. */
  private static Optional<String> closest(String uniform) {
    return Typos.closest(uniform, KNOWN, AdminKeys::uniform);
  }
}
