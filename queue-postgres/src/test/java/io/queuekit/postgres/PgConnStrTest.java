package io.queuekit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.QueueConfigException;
import io.queuekit.internal.ConnStrings;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a CONN_STR that cannot work is told: the part that is wrong, the password masked. */
class PgConnStrTest {
  @Test
  void aPortThatIsNotANumberIsNamedNotTakenForAMissingHost() {
    assertThatThrownBy(() -> PgConnStr.parse("postgres://gitea:pw-Secret@127.0.0.1:abc/gitea"))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("port abc is not a number")
        .hasMessageContaining("postgres://gitea:****@127.0.0.1:abc/gitea")
        .hasMessageNotContaining("names no host")
        .hasMessageNotContaining("pw-Secret");
    assertThatThrownBy(() -> PgConnStr.parse("postgres://gitea:pw-Secret@127.0.0.1:99999/gitea"))
        .hasMessageContaining("port 99999 is not from 1 to 65535")
        .hasMessageNotContaining("pw-Secret");
    assertThatThrownBy(() -> PgConnStr.parse("postgres://gitea:pw-Secret@/gitea"))
        .hasMessageContaining("names no host")
        .hasMessageNotContaining("pw-Secret");
    assertThatThrownBy(() -> PgConnStr.parse("postgres://gitea:pw-Secret@db_host:5432/gitea"))
        .hasMessageContaining("host db_host is not a valid host name")
        .hasMessageNotContaining("pw-Secret");
  }

  /**
   * pgjdbc waits for a reply without end by default; a CONN_STR without socketTimeout gets ours,
   * one with it keeps its own (0 included: the user's choice).
   */
  @Test
  void aStatementsWaitForItsReplyIsBoundedUnlessTheConnStrSaysOtherwise() {
    assertThat(PgConnStr.parse("postgres://u:pw@h:5432/db").jdbcUrl())
        .isEqualTo("jdbc:postgresql://h:5432/db?socketTimeout="
            + PgConnStr.DEFAULT_SOCKET_TIMEOUT_SECONDS);
    assertThat(PgConnStr.parse("postgres://u:pw@h/db?sslmode=require&socketTimeout=0").jdbcUrl())
        .isEqualTo("jdbc:postgresql://h:5432/db?sslmode=require&socketTimeout=0");
    assertThat(PgConnStr.parse("jdbc:postgresql://h/db?user=u&socketTimeout=5").jdbcUrl())
        .isEqualTo("jdbc:postgresql://h:5432/db?socketTimeout=5");
  }

  /** One mask everywhere: the run-time form of a CONN_STR masks as config errors do. */
  @Test
  void theRunTimeFormMasksThePasswordAsEveryOtherOutputDoes() {
    String raw = "postgres://gitea:pw-Secret@db.internal:5432/gitea?schema=queues";
    PgConnStr conn = PgConnStr.parse(raw);
    assertThat(conn.toString()).isEqualTo(ConnStrings.mask(raw))
        .isEqualTo("postgres://gitea:****@db.internal:5432/gitea?schema=queues");
    assertThat(PgConnStr.parse("jdbc:postgresql://h/db?user=u&password=pw-Secret").toString())
        .isEqualTo("postgres://u:****@h:5432/db");
  }

  /**
   * A '/', '?' or '#' left unencoded in the password ends java.net.URI's authority inside it:
   * nothing of that authority is quoted as a port or host, since it is part of the password.
   */
  @Test
  void aReservedCharacterInThePasswordIsExplainedWithoutQuotingIt() {
    for (String raw : List.of("postgres://user:pa/ss-Secret@host/db",
        "postgres://user:s#ecret-Secret@host/db", "postgres://user:p?w-Secret@h/db")) {
      assertThatThrownBy(() -> PgConnStr.parse(raw)).as(raw)
          .isInstanceOf(QueueConfigException.class)
          .hasMessageContaining("percent-encode")
          .hasMessageNotContaining("port ")
          .hasMessageNotContaining("Secret");
    }
  }

  /**
   * The resolver's failure, deep in the pool's timeout, is said first and plainly. Built as the
   * pool reports it, rather than resolved, so the test does not depend on this machine's DNS.
   */
  @Test
  void anUnknownHostIsSaidSoNotOnlyThatThePoolTimedOut() {
    Exception pool = new java.sql.SQLTransientConnectionException("queuekit-postgres - "
        + "Connection is not available, request timed out after 2002ms", "08001",
        new org.postgresql.util.PSQLException("The connection attempt failed.",
            org.postgresql.util.PSQLState.CONNECTION_UNABLE_TO_CONNECT,
            new java.net.UnknownHostException("nosuchhost.invalid")));
    assertThat(PgErrors.message(pool)).startsWith("unknown host nosuchhost.invalid (")
        .contains("request timed out");
  }
}
