package io.queuekit.spring;

import io.queuekit.QueueConfigException;
import io.queuekit.internal.ConnStrings;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a start-up stopped by a queuekit setting into Spring Boot's "APPLICATION FAILED TO START"
 * report. queuekit's message already names the property (or INI file and line), the value and
 * the queue; without this it sat in the fifth "Caused by" of a long bean-creation stack trace.
 *
 * <p>The outermost {@link QueueConfigException} of the chain is reported: each layer wraps the one
 * below with where it came from ({@code queuekit.queues.mail.max-workers: MAX_WORKERS=abc …}).
 * The description is masked as every queuekit output is, so a backend's message quoting a
 * {@code CONN_STR} cannot print its password.
 *
 * <p>Registered in {@code META-INF/spring.factories}. <b>Thread-safety:</b> stateless.
 */
final class QueueConfigFailureAnalyzer extends AbstractFailureAnalyzer<QueueConfigException> {

  static final String ACTION = "Correct what the description names: a queuekit.* property, a line of the"
      + " file queuekit.ini points to, or a @QueueHandler method. README's \"Settings\" table lists"
      + " every key, its default and the values it takes.";

  static final String ADMIN_ACTION = "Correct the queuekit.admin.* property the description names: README's"
      + " \"The admin page and API\" section says what each one takes.";

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, QueueConfigException cause) {
    String message = String.valueOf(cause.getMessage());
    String action = message.startsWith(QueuekitPropertiesCheck.ADMIN + ".") ? ADMIN_ACTION : ACTION;
    return new FailureAnalysis(ConnStrings.mask(message), action, cause);
  }
}
