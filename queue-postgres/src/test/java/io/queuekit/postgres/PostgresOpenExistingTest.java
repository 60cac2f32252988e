package io.queuekit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.QueueSettings;
import io.queuekit.conformance.postgres.PostgresExtension;
import io.queuekit.conformance.postgres.PostgresServer;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueues;
import io.queuekit.spi.Item;
import io.queuekit.spi.StoreEvents;
import io.queuekit.spi.StoreNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Opening only an existing queue on a real PostgreSQL: no schema, table or row is created. */
class PostgresOpenExistingTest {
  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  private BaseQueue open(String connStr, String name, boolean unique, BaseQueueConfig.Open open) {
    QueueSettings s = QueueSettings.builder().type("postgres").connStr(connStr).build();
    return BaseQueues.load().create("postgres", new BaseQueueConfig(name, s, unique,
        Clock.systemUTC(), scheduler, Path.of("target"), StoreEvents.NONE, open));
  }

  @Test
  void aMistypedSchemaIsNotFoundAndNotCreated() {
    String db = pg.server().createDatabase();
    assertThatThrownBy(() -> open(pg.server().connStr(db) + "?schema=queeus", "mail", false,
        BaseQueueConfig.Open.EXISTING))
        .isInstanceOf(StoreNotFoundException.class)
        .hasMessageContaining("queue \"mail\"").hasMessageContaining("no schema queeus")
        .hasMessageContaining("127.0.0.1").hasMessageNotContaining(PostgresServer.PASSWORD);
    assertThat(pg.server().sql(db, "SELECT count(*) FROM pg_namespace WHERE nspname = 'queeus'"))
        .isEqualToIgnoringWhitespace("0");
    // a schema without queuekit's tables is not made one either
    pg.server().sql(db, "CREATE SCHEMA other");
    assertThatThrownBy(() -> open(pg.server().connStr(db) + "?schema=other", "mail", false,
        BaseQueueConfig.Open.EXISTING))
        .isInstanceOf(StoreNotFoundException.class).hasMessageContaining("holds no queuekit tables");
    assertThat(pg.server().sql(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'other'"))
        .isEqualToIgnoringWhitespace("0");
  }

  @Test
  void aQueueAbsentFromAnInstalledSchemaIsNotFoundAndNoRowIsWritten() {
    String db = pg.server().createDatabase();
    String conn = pg.server().connStr(db);
    open(conn, "mail", false, BaseQueueConfig.Open.CREATE).close();
    assertThatThrownBy(() -> open(conn, "issue_indexr", true, BaseQueueConfig.Open.EXISTING))
        .isInstanceOf(StoreNotFoundException.class)
        .hasMessageContaining("queue \"issue_indexr\"").hasMessageContaining("issue_indexr_queue")
        .hasMessageNotContaining(PostgresServer.PASSWORD);
    assertThat(pg.server().sql(db, "SELECT count(*) FROM queuekit_queue WHERE queue = 'issue_indexr_queue'"))
        .isEqualToIgnoringWhitespace("0");
    assertThat(pg.server().sql(db, "SELECT count(*) FROM queuekit_room WHERE queue = 'issue_indexr_queue'"))
        .isEqualToIgnoringWhitespace("0");
  }

  @Test
  void anExistingQueueOpensAsTheFlavourItWasCreatedWith() {
    String db = pg.server().createDatabase();
    String conn = pg.server().connStr(db);
    try (BaseQueue service = open(conn, "indexer", true, BaseQueueConfig.Open.CREATE)) {
      service.push(Item.of("a".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));
    }
    try (BaseQueue looked = open(conn, "indexer", false, BaseQueueConfig.Open.EXISTING)) {
      assertThat(looked.unique()).isTrue();
      assertThat(looked.len()).isEqualTo(1);
      assertThat(looked.has("a".getBytes(StandardCharsets.UTF_8))).isTrue();
    }
    assertThat(pg.server().sql(db, "SELECT uniq FROM queuekit_queue WHERE queue = 'indexer_queue'"))
        .isEqualToIgnoringWhitespace("t");
  }
}
