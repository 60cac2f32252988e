package io.queuekit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.conformance.CapturedErr;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.annotation.Configuration;

/**
 * A real {@link SpringApplication} run that a queuekit setting stops: what the user sees is
 * Spring Boot's failure report with queuekit's message, not a stack trace with the message in its
 * fifth "Caused by".
 */
class StartupFailureTest {

  @TempDir Path data;

  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration(QueuekitAutoConfiguration.class)
  static class App {}

  /** A queue created at start-up, so its backend checks its CONN_STR. */
  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration(QueuekitAutoConfiguration.class)
  static class MailApp {
    @org.springframework.context.annotation.Bean
    QueuekitAutoConfigurationTest.Mailer mailer() {
      return new QueuekitAutoConfigurationTest.Mailer();
    }
  }

  private String failedStart(String... properties) {
    return failedStart(App.class, properties);
  }

  /** Everything the failed run wrote to standard error (slf4j-simple logs there). */
  private String failedStart(Class<?> source, String... properties) {
    List<String> args = new ArrayList<>(List.of("--queuekit.data-path=" + data, "--spring.main.banner-mode=off"));
    for (String p : properties) {
      args.add("--" + p);
    }
    SpringApplication app = new SpringApplication(source);
    app.setWebApplicationType(WebApplicationType.NONE);
    try (CapturedErr err = CapturedErr.start()) {
      assertThatThrownBy(() -> app.run(args.toArray(String[]::new))).isNotNull();
      return err.text();
    }
  }

  private static void assertReport(String output, String... inDescription) {
    assertThat(output).contains("APPLICATION FAILED TO START", "Description:", "Action:")
        .doesNotContain("Caused by", "\tat ");
    String description = output.substring(output.indexOf("Description:"), output.indexOf("Action:"));
    assertThat(description).contains(inDescription);
  }

  @Test
  void aBadValueIsReportedAsTheMessageNamingPropertyValueAndQueue() {
    String out = failedStart("queuekit.queues.mail.max-workers=abc");
    assertReport(out, "queuekit.queues.mail.max-workers", "MAX_WORKERS=abc is not a whole number");
  }

  @Test
  void aTypeWhoseArtifactIsMissingIsReportedWithTheArtifact() {
    String out = failedStart("queuekit.queues.mail.type=postgres");
    assertReport(out, "queuekit.queues.mail.type", "TYPE=postgres", "queue-postgres");
  }

  @Test
  void aMissingIniFileIsReportedNamingTheFile() {
    Path missing = data.resolve("queuekit.ini");
    String out = failedStart("queuekit.ini=" + missing);
    assertReport(out, "cannot read the queue configuration " + missing);
  }

  /** The password of the connection strings below: it must appear nowhere in a run's output. */
  private static final String PASSWORD = "hunter2secret";

  /** {@link #assertReport}, and the password appears nowhere in what the run wrote (log or report). */
  private static void assertMaskedReport(String output, String... inDescription) {
    assertReport(output, inDescription);
    assertThat(output).doesNotContain(PASSWORD);
  }

  @Test
  void aPasswordInABadConnectionStringStaysOutOfTheReport() {
    assertMaskedReport(failedStart(MailApp.class, "queuekit.queues.mail.type=level",
            "queuekit.queues.mail.conn-str=postgres://queuekit:" + PASSWORD + "@db.example:5432/app"),
        "queuekit.queues.mail.conn-str: queue \"mail\"", "postgres://queuekit:****@db.example:5432/app");
  }

  @Test
  void aConnectionStringItsBackendRefusesStopsStartUpNamingTheProperty() {
    // no queue is created at start-up: the backend's check runs for every configured queue
    assertMaskedReport(failedStart("queuekit.queues.mail.type=redis",
            "queuekit.queues.mail.conn-str=redis://:" + PASSWORD + "@127.0.0.1:1/abc"),
        "queuekit.queues.mail.conn-str: queue \"mail\": CONN_STR redis://:****@127.0.0.1:1/abc",
        "is not a database number");
  }

  @Test
  void aConnectionStringOptionItsBackendRefusesIsReportedWithTheMaskedValue() {
    assertMaskedReport(failedStart("queuekit.defaults.type=redis",
            "queuekit.queues.mail.conn-str=redis://:" + PASSWORD + "@127.0.0.1:1/0?timeout=abc"),
        "queuekit.queues.mail.conn-str: CONN_STR=redis://:****@127.0.0.1:1/0?timeout=abc: queue \"mail\"",
        "timeout=abc is not a duration");
  }

  @Test
  void aRefusedDefaultIsReportedAtTheDefaultsProperty() {
    assertMaskedReport(failedStart("queuekit.defaults.conn-str=redis://:" + PASSWORD + "@127.0.0.1:1/abc",
            "queuekit.queues.mail.type=redis"),
        "queuekit.defaults.conn-str: queue \"mail\"", "is not a database number");
  }

  /** What the user sees names the property, never the token; the builder's allowRemote() is no property. */
  @Test
  void aShortAdminTokenIsReportedNamingThePropertyNotTheToken() {
    String out = failedStart("queuekit.admin.enabled=true", "queuekit.admin.token=short-secret");
    assertReport(out, "queuekit.admin.token: ", "at least 16 printable ASCII characters");
    assertThat(out).doesNotContain("short-secret");
  }

  @Test
  void anAdminPortOutOfRangeIsReportedNamingPropertyAndValue() {
    assertReport(failedStart("queuekit.admin.enabled=true", "queuekit.admin.port=70000"),
        "queuekit.admin.port=70000", "0..65535");
  }

  @Test
  void aRemoteAdminHostIsReportedNamingTheAllowRemoteProperty() {
    String out = failedStart("queuekit.admin.enabled=true", "queuekit.admin.host=10.1.2.3");
    assertReport(out, "queuekit.admin.host=10.1.2.3", "set queuekit.admin.allow-remote=true");
    assertThat(out).doesNotContain("allowRemote()", "--admin-allow-remote");
  }

  @Test
  void anAdminEnabledThatIsNoBooleanStopsStartUpNamingIt() {
    String out = failedStart("queuekit.admin.enabled=maybe");
    assertThat(out).contains("APPLICATION FAILED TO START", "queuekit.admin.enabled", "maybe")
        .doesNotContain("\tat ");
  }
}
