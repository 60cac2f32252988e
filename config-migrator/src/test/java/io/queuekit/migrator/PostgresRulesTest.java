package io.queuekit.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.ini.ConfigCheck;
import io.queuekit.ini.Finding;
import io.queuekit.ini.Finding.Severity;
import io.queuekit.ini.IniFile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The check of {@code TYPE=postgres} sections, asked of the postgres backend's own rules. */
class PostgresRulesTest {

  private static List<Finding> check(String text) {
    return ConfigCheck.run(IniFile.parse(text, "app.ini"));
  }

  @Test
  void aPostgresQueueWithAFullUrlPasses() {
    assertThat(check("[queue.mail]\nTYPE = postgres\n"
        + "CONN_STR = postgres://gitea:S3cret@db.local:5432/gitea?schema=queues&pool=20\n"))
        .isEmpty();
    assertThat(check("[queue.mail]\nTYPE = postgresql\n"
        + "CONN_STR = jdbc:postgresql://db.local/gitea?user=gitea&password=S3cret\n")).isEmpty();
  }

  @Test
  void aBrokenPostgresUrlIsAnErrorAtItsLineWithoutThePassword() {
    List<Finding> findings = check("[queue]\nLENGTH = 10\n\n[queue.mail]\nTYPE = postgres\n"
        + "CONN_STR = postgres://gitea:S3cret@db.local:5432/\n");
    assertThat(findings).hasSize(1);
    Finding f = findings.get(0);
    assertThat(f.severity()).isEqualTo(Severity.ERROR);
    assertThat(f.location()).isEqualTo("app.ini:6 [queue.mail] CONN_STR");
    assertThat(f.message()).contains("names no database").doesNotContain("S3cret");
  }

  @Test
  void keysThatDisagreeDoNotHideTheConnStrCheck() {
    List<Finding> findings = check("[queue.mail]\nTYPE = postgres\nRETRY_DELAY = 10s\n"
        + "RETRY_DELAY_MAX = 1s\nCONN_STR = postgres://gitea:S3cret@db.local:5432/\n");
    assertThat(findings).extracting(Finding::location).containsExactly(
        "app.ini:4 [queue.mail] RETRY_DELAY_MAX", "app.ini:5 [queue.mail] CONN_STR");
    assertThat(findings.get(0).message()).isEqualTo("queue mail: RETRY_DELAY_MAX=1s is shorter"
        + " than RETRY_DELAY=10s");
    assertThat(findings.get(1).message()).contains("names no database").doesNotContain("S3cret");
  }

  @Test
  void aBadPoolSizeOrSchemaIsNamed() {
    assertThat(check("[queue.mail]\nTYPE = postgres\nCONN_STR = postgres://h/db?pool=1\n"))
        .singleElement().satisfies(f -> assertThat(f.message()).contains("pool=1"));
    assertThat(check("[queue.mail]\nTYPE = postgres\nCONN_STR = postgres://h/db?schema=Bad-Name\n"))
        .singleElement().satisfies(f -> assertThat(f.message()).contains("schema=Bad-Name"));
  }

  /**
   * pgjdbc ignores a parameter it does not know (a mistyped sslmode connects without TLS) and
   * fails a bad value only at connect, which looked like an unreachable server.
   */
  @Test
  void anUnknownDriverParameterOrABadValueIsNamed() {
    assertThat(check("[queue.mail]\nTYPE = postgres\n"
        + "CONN_STR = postgres://gitea:S3cret@h/db?sslmod=require\n"))
        .singleElement().satisfies(f -> assertThat(f.message()).contains("sslmod is not a parameter")
            .doesNotContain("S3cret"));
    assertThat(check("[queue.mail]\nTYPE = postgres\n"
        + "CONN_STR = postgres://gitea:S3cret@h/db?sslmode=bogus\n"))
        .singleElement().satisfies(f -> assertThat(f.message()).contains("sslmode=bogus")
            .contains("verify-full").doesNotContain("S3cret"));
    assertThat(check("[queue.mail]\nTYPE = postgres\n"
        + "CONN_STR = postgres://gitea:S3cret@h/db?sslmode=verify-full&connectTimeout=5\n"))
        .isEmpty();
  }

  @Test
  void aLevelQueueGivenAPostgresUrlIsToldWhichBackendItWasWrittenFor() {
    List<Finding> findings = check("[queue.mail]\nTYPE = level\n"
        + "CONN_STR = postgres://gitea:S3cret@db.local:5432/gitea\n");
    assertThat(findings).isNotEmpty();
    assertThat(findings.get(0).message()).contains("postgres").doesNotContain("S3cret");
  }
}
