package io.queuekit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.QueueConfigException;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueConfig;
import io.queuekit.QueueUnavailableException;
import io.queuekit.internal.ConnStrings;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a CONN_STR that cannot work is told: the part that is wrong, the password masked. */
class PgConnStrTest {
  @TempDir Path data;

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

  /** The resolver's failure, deep in the pool's timeout, is said first and plainly. */
  @Test
  void anUnknownHostIsSaidSoNotOnlyThatThePoolTimedOut() {
    String conn = "postgres://gitea:pw-Secret@nosuchhost.invalid:5432/gitea";
    QueueSettings s = QueueSettings.builder().type("postgres").connStr(conn).build();
    try (QueueManager m = QueueManager.builder().dataPath(data).config(QueueConfig.of(s))
        .build()) {
      assertThatThrownBy(() -> m.createSimple("unknown_host", String.class, b -> List.of()))
          .isInstanceOf(QueueUnavailableException.class)
          .hasMessageContaining("unknown_host")
          .hasMessageContaining("unknown host nosuchhost.invalid")
          .hasMessageContaining("postgres://gitea:****@nosuchhost.invalid:5432/gitea")
          .hasMessageNotContaining("pw-Secret");
    }
  }
}
