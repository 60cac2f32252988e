package io.queuekit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.PushResult;
import io.queuekit.QueueSettings;
import io.queuekit.conformance.CapturedErr;
import io.queuekit.conformance.postgres.PostgresExtension;
import io.queuekit.conformance.postgres.PostgresServer;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreEvents;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The functions revision of a schema (see {@link PgLayout}): an open replaces functions of an
 * older revision, leaves those of a newer one, records the revision in a schema installed before
 * revisions were recorded, and goes on, warning, for a role that may not replace them. Each open
 * uses a factory of its own, as a new process would, so the layout is looked at again.
 */
class PostgresFunctionsTest {
  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  private static final int REVISION = PgLayout.FUNCTIONS_REVISION;
  /** A wake that fails every push: a body with a bug, as an older revision might hold. */
  private static final String BROKEN_WAKE = "CREATE OR REPLACE FUNCTION queuekit_wake(q text, "
      + "n int) RETURNS void LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the buggy wake'; "
      + "END $$";
  /** A remove-all that still works for the queue but tells itself apart: it removes nothing. */
  private static final String OTHER_REMOVE_ALL = "CREATE OR REPLACE FUNCTION "
      + "queuekit_remove_all(q text) RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN RETURN 42; "
      + "END $$";

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  private BaseQueue open(String connStr, String name) {
    QueueSettings s = QueueSettings.builder().type("postgres").connStr(connStr).build();
    return new PostgresQueueFactory().create("postgres", new BaseQueueConfig(name, s, false,
        Clock.systemUTC(), scheduler, Path.of("target"), StoreEvents.NONE,
        BaseQueueConfig.Open.CREATE));
  }

  /** Pushes {@code text}, claims it and acks it: the push, claim and ack functions work. */
  private static void roundTrip(BaseQueue q, String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    assertThat(q.push(Item.of(payload), Duration.ofSeconds(5))).isEqualTo(PushResult.ADDED);
    List<Delivery> got = q.claim(1, Duration.ofSeconds(5));
    assertThat(got).extracting(d -> new String(d.payload(), StandardCharsets.UTF_8))
        .containsExactly(text);
    assertThat(q.ack(got)).containsExactly(Outcome.DONE);
  }

  /**
   * Opens {@code name} as a new process would, pushes, claims and acks an item, then runs {@code
   * then}; returns what was logged meanwhile.
   */
  private String openAndUse(String connStr, String name, Consumer<BaseQueue> then) {
    try (CapturedErr err = CapturedErr.start(); BaseQueue q = open(connStr, name)) {
      roundTrip(q, "through " + name);
      then.accept(q);
      return err.text();
    }
  }

  /** Installs {@code schema} of {@code db}, opening {@code queue}; returns the owner's CONN_STR. */
  private String installed(String db, String schema, String queue) {
    String conn = pg.server().connStr(db) + "?schema=" + schema;
    open(conn, queue).close();
    return conn;
  }

  /** Makes {@code schema} look as a release from before revisions were recorded installed it. */
  private static void withoutRecord(String db, String schema) {
    pg.server().sql(db, "ALTER TABLE " + schema + ".queuekit_layout DROP COLUMN functions");
  }

  private static String revision(String db, String schema) {
    return pg.server().sql(db, "SELECT functions FROM " + schema + ".queuekit_layout");
  }

  private static String body(String db, String schema, String function) {
    return pg.server().sql(db, "SELECT prosrc FROM pg_proc WHERE proname = '" + function
        + "' AND pronamespace = '" + schema + "'::regnamespace");
  }

  /** A login role with the README's grants on {@code schema}; returns its CONN_STR. */
  private static String secondRole(String db, String schema, String role, String password) {
    pg.server().sql(db, "CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
    pg.server().sql(db, "GRANT USAGE ON SCHEMA " + schema + " TO " + role + "; "
        + "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + schema + " TO " + role
        + "; GRANT USAGE ON ALL SEQUENCES IN SCHEMA " + schema + " TO " + role);
    return "postgres://" + role + ":" + password + "@127.0.0.1:" + pg.server().port() + "/" + db
        + "?schema=" + schema;
  }

  @Test
  void anInstallRecordsTheRevisionAndEveryFunctionItMakesIsOneAnUpgradeReplaces() {
    String db = pg.server().createDatabase();
    installed(db, "public", "fn_fresh");
    assertThat(revision(db, "public")).isEqualTo(Integer.toString(REVISION));
    Pattern name = Pattern.compile("(?m)^CREATE OR REPLACE FUNCTION (\\w+)\\(");
    List<String> replaced = PgLayout.statements().stream().filter(PgLayout::createsFunction)
        .map(st -> {
          Matcher m = name.matcher(st);
          assertThat(m.find()).as(st).isTrue();
          return m.group(1);
        }).toList();
    List<String> installed = Arrays.asList(pg.server().sql(db, "SELECT proname FROM pg_proc "
        + "WHERE pronamespace = 'public'::regnamespace AND proname LIKE 'queuekit\\_%'")
        .split("\n"));
    assertThat(replaced).containsExactlyInAnyOrderElementsOf(installed).isNotEmpty();
    // and no other statement creates one, so none would be left out of a replacement
    assertThat(PgLayout.statements()).filteredOn(st -> !PgLayout.createsFunction(st))
        .noneMatch(st -> st.contains("FUNCTION"));
  }

  @Test
  void functionsOfAnOlderRevisionAreReplacedAtTheNextOpen() {
    String db = pg.server().createDatabase();
    String conn = installed(db, "public", "fn_old");
    pg.server().sql(db, BROKEN_WAKE);
    pg.server().sql(db, "UPDATE queuekit_layout SET functions = " + (REVISION - 1));
    assertThatThrownBy(() -> pg.server().sql(db, "SELECT queuekit_wake('fn_old_queue', 1)"))
        .hasMessageContaining("the buggy wake");
    String log = openAndUse(conn, "fn_old", q -> { });
    assertThat(log).as(log).contains("INFO io.queuekit.postgres.PgLayout")
        .contains("schema public: replaced queuekit's functions of revision " + (REVISION - 1)
            + " with revision " + REVISION);
    assertThat(revision(db, "public")).isEqualTo(Integer.toString(REVISION));
    assertThat(body(db, "public", "queuekit_wake")).contains("pg_notify")
        .doesNotContain("the buggy wake");
  }

  @Test
  void functionsOfANewerRevisionAreLeftAsTheyAre() {
    String db = pg.server().createDatabase();
    String conn = installed(db, "public", "fn_new");
    pg.server().sql(db, OTHER_REMOVE_ALL);
    pg.server().sql(db, "UPDATE queuekit_layout SET functions = " + (REVISION + 1));
    String log = openAndUse(conn, "fn_new", q -> {
      q.push(Item.of(new byte[] {1}), Duration.ofSeconds(5));
      assertThat(q.removeAll()).as("the newer body ran").isEqualTo(42);
      assertThat(q.len()).isEqualTo(1);
    });
    assertThat(log).as(log).doesNotContain("replaced queuekit's functions")
        .doesNotContain("WARN io.queuekit.postgres.PgLayout");
    assertThat(revision(db, "public")).isEqualTo(Integer.toString(REVISION + 1));
    assertThat(body(db, "public", "queuekit_remove_all")).contains("RETURN 42");
  }

  /**
   * A schema installed before revisions were recorded has no {@code functions} column. Its
   * functions may be those of an earlier build (the CHANGELOG told users of those to drop them by
   * hand), so they are replaced too; here one of them is planted.
   */
  @Test
  void aSchemaInstalledBeforeRevisionsWereRecordedGetsTheRecordAndTheFunctions() {
    String db = pg.server().createDatabase();
    String conn = installed(db, "earlier", "fn_pre");
    withoutRecord(db, "earlier");
    pg.server().sql(db, "SET search_path TO earlier; " + BROKEN_WAKE);
    String log = openAndUse(conn, "fn_pre", q -> { });
    assertThat(log).as(log).contains("schema earlier: replaced queuekit's functions of revision "
        + "none recorded (installed before queuekit recorded revisions) with revision " + REVISION);
    assertThat(revision(db, "earlier")).isEqualTo(Integer.toString(REVISION));
    assertThat(body(db, "earlier", "queuekit_wake")).doesNotContain("the buggy wake");
    // the tables were left alone: the layout row is still the one row
    assertThat(pg.server().sql(db, "SELECT count(*) FROM earlier.queuekit_layout")).isEqualTo("1");
  }

  @Test
  void aRoleThatMayNotReplaceOlderFunctionsOpensOnThemAndIsToldWhoMay() {
    String db = pg.server().createDatabase();
    String owner = installed(db, "queues", "fn_role");
    pg.server().sql(db, "SET search_path TO queues; " + OTHER_REMOVE_ALL);
    pg.server().sql(db, "UPDATE queues.queuekit_layout SET functions = " + (REVISION - 1));
    String conn = secondRole(db, "queues", "fn_user", "fn-user-Pw1");
    String log = openAndUse(conn, "fn_role", q -> {
      assertThat(q.removeAll()).as("the older body ran").isEqualTo(42);
    });
    assertThat(log).as(log).contains("WARN io.queuekit.postgres.PgLayout")
        .contains("schema queues holds queuekit's functions of revision " + (REVISION - 1)
            + ", older than this version's revision " + REVISION)
        .contains("user fn_user may not replace them")
        .contains("Open a queue once as postgres to replace them")
        .doesNotContain("fn-user-Pw1").doesNotContain(PostgresServer.PASSWORD);
    assertThat(revision(db, "queues")).isEqualTo(Integer.toString(REVISION - 1));
    assertThat(body(db, "queues", "queuekit_remove_all")).contains("RETURN 42");

    // as the warning says, one open by the owner replaces them
    open(owner, "fn_role").close();
    assertThat(revision(db, "queues")).isEqualTo(Integer.toString(REVISION));
    assertThat(body(db, "queues", "queuekit_remove_all")).doesNotContain("RETURN 42");
  }

  @Test
  void aRoleThatMayNotRecordTheRevisionOfAnEarlierSchemaOpensAndIsWarned() {
    String db = pg.server().createDatabase();
    installed(db, "queues", "fn_role_pre");
    withoutRecord(db, "queues");
    String conn = secondRole(db, "queues", "fn_user_pre", "fn-user-pre-Pw1");
    String log = openAndUse(conn, "fn_role_pre", q -> { });
    assertThat(log).as(log).contains("WARN io.queuekit.postgres.PgLayout")
        .contains("schema queues holds queuekit's functions of revision none recorded")
        .contains("user fn_user_pre may not replace them")
        .doesNotContain("fn-user-pre-Pw1").doesNotContain(PostgresServer.PASSWORD);
    assertThat(pg.server().sql(db, "SELECT count(*) FROM information_schema.columns WHERE "
        + "table_schema = 'queues' AND table_name = 'queuekit_layout' AND column_name = "
        + "'functions'")).as("nothing was added").isEqualTo("0");
  }
}
