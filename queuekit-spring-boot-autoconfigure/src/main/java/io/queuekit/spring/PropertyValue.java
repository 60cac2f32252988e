package io.queuekit.spring;

import io.queuekit.internal.ConnStrings;
import java.util.Locale;

/**
 * How a start-up error names a {@code queuekit.*} property and the value it was given: {@code
 * queuekit.admin.port=70000}, the key as the README documents it (what the user writes in {@code
 * application.properties}), never a builder method. A secret's value is never shown: a key whose
 * last part ends in {@code token}, {@code password}, {@code secret} or {@code key}, or holds
 * {@code credentials} (Spring Boot's own list of keys it sanitizes), reads {@code
 * queuekit.admin.token=****}; any other value has the passwords of connection strings in it
 * masked.
 *
 * <p><b>Thread-safety:</b> stateless.
 */
final class PropertyValue {

  /** What a secret's value reads as. */
  static final String HIDDEN = "****";

  private PropertyValue() {}

  /** {@code property=value}, the value {@link #HIDDEN} for a secret, else with its passwords masked. */
  static String of(String property, Object value) {
    return property + "=" + (secret(property) ? HIDDEN : ConnStrings.mask(String.valueOf(value)));
  }

  /** Whether the property holds a secret, judged by its last part ({@code token} of {@code queuekit.admin.token}). */
  static boolean secret(String property) {
    String last = property.substring(property.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT).replace("-", "");
    return last.endsWith("token") || last.endsWith("password") || last.endsWith("secret") || last.endsWith("key")
        || last.contains("credentials");
  }
}
