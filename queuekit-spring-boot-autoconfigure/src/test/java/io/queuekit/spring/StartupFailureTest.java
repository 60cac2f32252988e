package io.queuekit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.conformance.CapturedErr;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
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
  void aNegativeHealthMaxWaitingAgeIsReportedNamingPropertyAndValue() {
    String out = failedStart("queuekit.health-max-waiting-age=-5s");
    assertReport(out, "queuekit.health-max-waiting-age", "-5s", "must be zero or more");
  }

  @Test
  void aTypeWhoseArtifactIsMissingIsReportedWithTheArtifact() {
    String out = failedStart("queuekit.queues.mail.type=postgres");
    assertReport(out, "queuekit.queues.mail.type", "TYPE=postgres", "queue-postgres");
  }

  /** Settings that contradict each other: each property that set one is named, not only the queue. */
  @Test
  void contradictingSettingsAreReportedNamingEachPropertyThatSetOne() {
    assertReport(failedStart("queuekit.defaults.retry-delay=10s", "queuekit.queues.mail.retry-delay-max=1s"),
        "queuekit.queues.mail.retry-delay-max, queuekit.defaults.retry-delay: queue \"mail\": RETRY_DELAY_MAX=1s"
            + " is shorter than RETRY_DELAY=10s");
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
    assertReport(out, "queuekit.admin.token=****: ", "at least 16 printable ASCII characters");
    assertThat(out).doesNotContain("short-secret");
  }

  /** A token long enough but holding a space: refused, and the password-like value is shown nowhere. */
  @Test
  void aTokenWithASpaceIsReportedMaskedWhateverItHolds() {
    String out = failedStart("queuekit.admin.enabled=true", "queuekit.admin.token=" + PASSWORD + " " + PASSWORD);
    assertMaskedReport(out, "queuekit.admin.token=****: ", "without spaces");
  }

  /**
   * The server's own message ("give a writable loginUrlFile(...), or a token(...) of your own")
   * names its builder's methods and came as a bean-creation stack trace: the report names the
   * property, its value and the property that avoids the file.
   */
  @Test
  void aLoginUrlFileThatCannotBeWrittenIsReportedNamingThePropertyNotTheBuilder() throws Exception {
    Path notADirectory = Files.writeString(data.resolve("plain-file"), "x");
    Path file = notADirectory.resolve("login.txt");
    String out = failedStart("queuekit.admin.enabled=true", "queuekit.admin.login-url-file=" + file);
    assertReport(out, "queuekit.admin.login-url-file=" + file + ": the login URL of the token generated at start"
        + " cannot be written there (", "Exception: " + notADirectory, "); set queuekit.admin.login-url-file to a file this user"
        + " can write, or queuekit.admin.token to a token of your own");
    assertThat(out).doesNotContain("loginUrlFile(", "token(", "#token=");
  }

  @Test
  void anUnwritableDefaultLoginUrlFileIsReportedNamingTheUnsetPropertyAndTheDataPath() throws Exception {
    // a directory, not empty, where the file is to be renamed into place
    Files.writeString(Files.createDirectory(data.resolve("queuekit-admin-login.txt")).resolve("x"), "x");
    String out = failedStart("queuekit.admin.enabled=true");
    assertReport(out, "queuekit.admin.login-url-file (unset: a file in queuekit.data-path=" + data + "): the login"
        + " URL of the token generated at start cannot be written there (", "set queuekit.admin.login-url-file");
    assertThat(out).doesNotContain("loginUrlFile(", "token(", "#token=");
  }

  /** Jetty's "Port already in use" came as a stack trace, the port named but not its property. */
  @Test
  void anAdminPortInUseIsReportedNamingPropertyAndValue() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      String out = failedStart("queuekit.admin.enabled=true", "queuekit.admin.port=" + port);
      assertReport(out, "queuekit.admin.port=" + port + ": the admin server cannot listen on 127.0.0.1:" + port,
          "another process holds the port; choose a free one, or 0 for any free port");
    }
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
