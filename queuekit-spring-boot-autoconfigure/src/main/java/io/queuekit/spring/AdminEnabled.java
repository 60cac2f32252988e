package io.queuekit.spring;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code queuekit.admin.enabled} binds to true, as {@link QueuekitProperties} binds
 * it: {@code true}, {@code yes}, {@code on} or {@code 1}, in any case. (A text comparison with
 * "true" left the page off for {@code yes} while the properties said enabled.) A value that is no
 * boolean does not match here; binding the properties then stops start-up naming it.
 *
 * <p><b>Thread-safety:</b> stateless.
 */
final class AdminEnabled extends SpringBootCondition {

  static final String PROPERTY = QueuekitPropertiesCheck.ADMIN + ".enabled";

  @Override
  public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
    boolean enabled;
    try {
      enabled = Binder.get(context.getEnvironment()).bind(PROPERTY, Boolean.class).orElse(false);
    } catch (BindException e) {
      return ConditionOutcome.noMatch(PROPERTY + " is no boolean: " + e.getMessage());
    }
    return enabled ? ConditionOutcome.match(PROPERTY + " is true") : ConditionOutcome.noMatch(PROPERTY + " is not true");
  }
}
