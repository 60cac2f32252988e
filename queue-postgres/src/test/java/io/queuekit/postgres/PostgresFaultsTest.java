package io.queuekit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuekit.QueueConfig;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueUnavailableException;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.conformance.CapturedErr;
import io.queuekit.conformance.postgres.PostgresExtension;
import io.queuekit.conformance.postgres.PostgresServer;
import io.queuekit.conformance.redis.TcpProxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of the server and of its use: the server killed and restarted mid-run, a row another
 * writer broke, a refused password, a missing database, a user without the right to create the
 * tables, an exhausted pool. Every error names the queue and the server, never the password.
 */
class PostgresFaultsTest {
  @RegisterExtension
  static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path data;

  private QueueManager manager(String connStr) {
    QueueSettings s = QueueSettings.builder().type("postgres").connStr(connStr)
        .consumerTimeout(Duration.ofSeconds(3)).batchLength(10).maxWorkers(2)
        .retryDelay(Duration.ZERO).build();
    return QueueManager.builder().dataPath(data).config(QueueConfig.of(s))
        .claimWait(Duration.ofMillis(500)).build();
  }

  @Test
  void aServerKilledMidRunLosesNothingCommittedAndTheQueueResumesByItself() {
    Map<Integer, AtomicInteger> handled = new ConcurrentHashMap<>();
    try (QueueManager m = manager(pg.connStr())) {
      WorkerPoolQueue<Integer> q = m.createSimple("faults_restart", Integer.class, batch -> {
        batch.forEach(i -> handled.computeIfAbsent(i, k -> new AtomicInteger()).incrementAndGet());
        return List.of();
      });
      for (int i = 0; i < 300; i++) {
        q.push(i);
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() >= 50);
      pg.server().crash();
      // pushes meet a dead server: a clear error naming the server, password masked
      assertThatThrownBy(() -> q.push(-1))
          .isInstanceOf(QueueUnavailableException.class)
          .hasMessageContaining("faults_restart")
          .hasMessageContaining("127.0.0.1:" + pg.server().port())
          .hasMessageNotContaining(PostgresServer.PASSWORD);
      pg.server().restart();
      // the pool's own connection attempts back off while the server is away (HikariCP, up to
      // seconds), so the first push after the return may still find no connection: it is told so
      await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
          .ignoreExceptionsInstanceOf(QueueUnavailableException.class).until(() -> {
            q.push(300);
            return true;
          });
      for (int i = 301; i < 400; i++) {
        q.push(i);
      }
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
          .until(() -> handled.size() == 400 && q.flush(Duration.ofSeconds(5)));
      assertThat(handled.keySet()).doesNotContain(-1);
      assertThat(q.stats().inFlight()).isZero();
      assertThat(q.stats().ready() + q.stats().delayed()).isZero();
    } finally {
      if (!pg.server().running()) {
        pg.server().restart();
      }
    }
  }

  /**
   * A host that goes silent (no reply and no reset: a partition, a frozen machine) costs a caller
   * a bounded wait, not the kernel's 15 minutes of retransmissions, and the queue carries on by
   * itself once the host answers again. {@code socketTimeout=2} keeps the test short; without a
   * CONN_STR value the bound is {@link PgConnStr#DEFAULT_SOCKET_TIMEOUT_SECONDS}.
   */
  @Test
  void aHostThatGoesSilentFailsCallsWithinTheSocketTimeoutAndTheQueueResumes() {
    int port = pg.server().port();
    try (TcpProxy proxy = new TcpProxy(port)) {
      String via = pg.connStr().replace(":" + port + "/", ":" + proxy.port() + "/")
          + "?socketTimeout=2";
      List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
      try (QueueManager m = manager(via)) {
        WorkerPoolQueue<String> q = m.createSimple("faults_silent", String.class, batch -> {
          got.addAll(batch);
          return List.of();
        });
        q.push("before");
        await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
            .until(() -> got.contains("before"));

        proxy.silence();
        CompletableFuture<Void> during = CompletableFuture.runAsync(() -> q.push("during"));
        // unbounded, the push would wait out the kernel's retransmissions (about 15 minutes)
        await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).until(during::isDone);
        assertThatThrownBy(during::join).hasCauseInstanceOf(QueueUnavailableException.class)
            .cause().hasMessageContaining("faults_silent")
            .hasMessageNotContaining(PostgresServer.PASSWORD);

        proxy.restore();
        await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).until(() -> {
          try {
            q.push("after");
            return true;
          } catch (QueueUnavailableException stillAway) {
            return false;
          }
        });
        await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
            .until(() -> got.contains("after"));
      }
    }
  }

  /**
   * A lost wake-up costs at most 2 × CONSUMER_TIMEOUT: here a push's wake meets the waiter's
   * registration locked by another transaction and skips it, waking nobody; the idle claim
   * loop looks again before its registration could lapse. It once slept on: the process beat
   * renewed the registration (and held that very lock while doing so, which is how CI met it,
   * a flush timing out), so the item stayed ready until some later push.
   */
  @Test
  void aLostWakeUpCostsAtMostTwoConsumerTimeouts() throws Exception {
    String db = pg.server().createDatabase();
    String waiting = "SELECT count(*) FROM queuekit_waiter WHERE queue = 'faults_wake_queue' "
        + "AND kind = 'w'";
    List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (QueueManager m = manager(pg.server().connStr(db))) {
      WorkerPoolQueue<String> q = m.createSimple("faults_wake", String.class, batch -> {
        got.addAll(batch);
        return List.of();
      });
      await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
          .until(() -> pg.server().sql(db, waiting).trim().equals("1"));
      try (java.sql.Connection beat = connect(db)) {
        beat.setAutoCommit(false);
        try (java.sql.Statement st = beat.createStatement();
            java.sql.ResultSet r = st.executeQuery("SELECT consumer FROM queuekit_waiter WHERE "
                + "queue = 'faults_wake_queue' AND kind = 'w' FOR UPDATE")) {
          assertThat(r.next()).as("the claim loop's registration").isTrue();
        }
        q.push("x"); // its wake skips the locked registration: nobody is notified
        beat.commit();
      }
      // CONSUMER_TIMEOUT is 3 s: the claim loop looks again within 6 s of registering
      await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO)
          .until(() -> got.contains("x"));
    }
  }

  /**
   * The statements whose work grows with the queue (remove-all, replay or purge of every dead
   * letter) may outlast the socket timeout that bounds a silent host: here a remove-all waits on
   * a table lock for longer than {@code socketTimeout=1} and still completes.
   */
  @Test
  void aRemoveAllMayOutlastTheSocketTimeout() throws Exception {
    String db = pg.server().createDatabase();
    try (QueueManager m = manager(pg.server().connStr(db) + "?socketTimeout=1")) {
      WorkerPoolQueue<String> q = m.createSimple("faults_bulk", String.class, b -> List.of());
      try (java.sql.Connection locker = connect(db)) {
        locker.setAutoCommit(false);
        try (java.sql.Statement st = locker.createStatement()) {
          st.execute("LOCK TABLE queuekit_item IN EXCLUSIVE MODE");
        }
        CompletableFuture<Long> removed = CompletableFuture.supplyAsync(q::removeAll);
        // held until the remove-all has waited well past the socket timeout
        await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).until(() -> !pg.server()
            .sql(db, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
                + "'%queuekit_remove_all%' AND wait_event_type = 'Lock' AND clock_timestamp() "
                + "- query_start > interval '2 seconds'").trim().equals("0"));
        locker.commit();
        assertThat(removed.get(30, TimeUnit.SECONDS)).isNotNegative();
      }
    }
  }

  @Test
  void aQueueClosesWhileTheServerIsDown() throws Exception {
    CountDownLatch inHandler = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    QueueSettings s = QueueSettings.builder().type("postgres").connStr(pg.connStr())
        .consumerTimeout(Duration.ofSeconds(3)).shutdownTimeout(Duration.ofMillis(200)).build();
    try (QueueManager m = QueueManager.builder().dataPath(data).config(QueueConfig.of(s))
        .claimWait(Duration.ofMillis(500)).build()) {
      // the item is in a handler when the server dies, so close has a batch to give back
      WorkerPoolQueue<String> q = m.createSimple("faults_close", String.class, b -> {
        inHandler.countDown();
        never.await();
        return b;
      });
      q.push("kept");
      assertThat(inHandler.await(30, TimeUnit.SECONDS)).isTrue();
      pg.server().crash();
      try {
        // no exception: the handler is interrupted, the give-back fails and is logged, and the
        // item stays in flight under a consumer that no longer beats
        m.close();
      } finally {
        pg.server().restart();
      }
    }
    try (QueueManager m = manager(pg.connStr())) {
      List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
      m.createSimple("faults_close", String.class, batch -> {
        got.addAll(batch);
        return List.of();
      });
      // recovered within CONSUMER_TIMEOUT (3 s) of the dead consumer's last beat plus one beat of
      // this queue's: the process's beat loop, idle at a 30 s interval while no queue was open,
      // beats as soon as this queue registers (it once waited out the 30 s)
      await().atMost(Duration.ofSeconds(15)).pollDelay(Duration.ZERO)
          .until(() -> got.contains("kept"));
    }
  }

  @Test
  void aRowAnotherWriterBrokeIsRefusedByTheTableNotStoredToStallTheQueue() {
    try (QueueManager m = manager(pg.connStr())) {
      WorkerPoolQueue<String> q = m.createSimple("faults_rows", String.class, batch -> List.of());
      q.push("fine");
      // a ready row without a position, an in-flight row without a delivery id, a bad digest
      for (String bad : List.of(
          "INSERT INTO queuekit_item (queue, state, payload, first_pushed) "
              + "VALUES ('faults_rows_queue', 'R', '\\x01', 0)",
          "INSERT INTO queuekit_item (queue, state, payload, first_pushed, consumer) "
              + "VALUES ('faults_rows_queue', 'F', '\\x01', 0, 'x')",
          "INSERT INTO queuekit_item (queue, state, pos, payload, first_pushed, digest) "
              + "VALUES ('faults_rows_queue', 'R', 1, '\\x01', 0, '\\x01')",
          "INSERT INTO queuekit_item (queue, state, pos, payload, first_pushed, deliveries) "
              + "VALUES ('faults_rows_queue', 'R', 1, '\\x01', 0, -1)")) {
        assertThatThrownBy(() -> pg.server().sql(pg.database(), bad))
            .hasMessageContaining("violates check constraint");
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> q.flush(Duration.ofSeconds(5)));
    }
  }

  @Test
  void anUndecodableRowIsDeadLetteredAndTheQueueGoesOn() {
    List<Integer> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (QueueManager m = manager(pg.connStr())) {
      WorkerPoolQueue<Integer> q = m.createSimple("faults_json", Integer.class, batch -> {
        handled.addAll(batch);
        return List.of();
      });
      q.pause();
      // a well-formed row whose payload the codec cannot read, ahead of a good item
      pg.server().sql(pg.database(), "INSERT INTO queuekit_item (queue, state, pos, payload, "
          + "first_pushed) VALUES ('faults_json_queue', 'R', -1, 'not json', 0)");
      pg.server().sql(pg.database(), "UPDATE queuekit_room SET waiting = waiting + 1 "
          + "WHERE queue = 'faults_json_queue' AND slot = 0");
      q.push(7);
      q.resume();
      await().atMost(Duration.ofSeconds(30)).until(() -> handled.contains(7));
      await().atMost(Duration.ofSeconds(30)).until(() -> q.stats().dead() == 1);
    }
  }

  @Test
  void aRefusedPasswordIsAClearErrorWithoutThePassword() {
    String wrong = pg.connStr().replace(PostgresServer.PASSWORD.replace("/", "%2F"),
        "Wrong-Pw%2Fsecret");
    try (QueueManager m = manager(wrong)) {
      assertThatThrownBy(() -> m.createSimple("faults_pw", String.class, b -> List.of()))
          .isInstanceOf(QueueConfigException.class)
          .hasMessageContaining("faults_pw")
          .hasMessageContaining("refused the login of user postgres")
          .hasMessageNotContaining("Wrong-Pw")
          .hasMessageNotContaining("secret");
    }
  }

  @Test
  void aMissingDatabaseIsAClearError() {
    String missing = pg.connStr().replace("/" + pg.database(), "/no_such_db");
    try (QueueManager m = manager(missing)) {
      assertThatThrownBy(() -> m.createSimple("faults_db", String.class, b -> List.of()))
          .isInstanceOf(QueueConfigException.class)
          .hasMessageContaining("faults_db")
          .hasMessageContaining("database does not exist")
          .hasMessageNotContaining(PostgresServer.PASSWORD);
    }
  }

  @Test
  void aFailingBeatIsRetriedWithoutDroppingTheListener() throws Exception {
    String db = pg.server().createDatabase();
    String listener = "SELECT pid FROM pg_stat_activity WHERE application_name = 'queuekit-listen'"
        + " AND datname = '" + db + "'";
    List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
    String log;
    try (CapturedErr err = CapturedErr.start();
        QueueManager m = manager(pg.server().connStr(db))) {
      WorkerPoolQueue<String> q = m.createSimple("faults_beat", String.class, batch -> {
        got.addAll(batch);
        return List.of();
      });
      await().atMost(Duration.ofSeconds(30)).until(() -> !pg.server().sql(db, listener).isBlank());
      String pid = pg.server().sql(db, listener);
      // the beat's statement is refused while the server and the listener are fine
      pg.server().sql(db, "ALTER FUNCTION queuekit_tick(text[], text[], bigint)"
          + " RENAME TO queuekit_tick_away");
      await().atMost(Duration.ofSeconds(30))
          .until(() -> err.text().contains("WARN io.queuekit.postgres.PgStore"));
      assertThat(pg.server().sql(db, listener)).as("the listener's backend").isEqualTo(pid);
      pg.server().sql(db, "ALTER FUNCTION queuekit_tick_away(text[], text[], bigint)"
          + " RENAME TO queuekit_tick");
      await().atMost(Duration.ofSeconds(30))
          .until(() -> err.text().contains("the beat works again"));
      q.push("after");
      await().atMost(Duration.ofSeconds(30)).until(() -> got.contains("after"));
      assertThat(pg.server().sql(db, listener)).isEqualTo(pid);
      log = err.text();
    }
    assertThat(log).as(log).contains("the beat failed").contains("queuekit_tick")
        .doesNotContain("unreachable").doesNotContain(PostgresServer.PASSWORD);
    assertThat(log.split("the beat failed", -1)).as("warned once").hasSize(2);
  }

  @Test
  void theBeatLandsWhileHandlersHoldEveryPooledConnection() throws Exception {
    String db = pg.server().createDatabase();
    PgConnStr conn = PgConnStr.parse(pg.server().connStr(db) + "?pool=2");
    PgStore store = PgStore.open(conn, "faults_starved", () -> { }, false);
    store.start();
    java.util.concurrent.ScheduledExecutorService scheduler =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    PostgresQueue q = new PostgresQueue(new io.queuekit.spi.BaseQueueConfig("faults_starved",
        QueueSettings.builder().type("postgres").consumerTimeout(Duration.ofSeconds(3)).build(),
        false, java.time.Clock.systemUTC(), scheduler, data), store, () -> { });
    try {
      q.open();
      q.push(io.queuekit.spi.Item.of(new byte[] {1}), Duration.ofSeconds(5));
      List<io.queuekit.spi.Delivery> held = q.claim(1, Duration.ofSeconds(5));
      assertThat(held).hasSize(1);
      String beat = "SELECT beat_at FROM queuekit_consumer WHERE id = '" + q.consumer() + "'";
      try (java.sql.Connection a = store.connection(); java.sql.Connection b = store.connection()) {
        // the pool is empty now, as when every handler of a loaded process holds a connection
        String before = pg.server().sql(db, beat);
        assertThat(before).isNotBlank();
        await().atMost(Duration.ofSeconds(20)).until(() -> !pg.server().sql(db, beat)
            .equals(before));
      }
      assertThat(q.ack(held)).containsExactly(io.queuekit.spi.Outcome.DONE);
    } finally {
      q.close();
      store.close();
      scheduler.shutdownNow();
    }
  }

  /**
   * The store's loop is listening, and has had its first turn with no queue open, before the
   * queue registers (as when a process's first queue opens): the queue's beat still comes within
   * a beat period. The loop once fixed its next beat at that empty turn, 30 s ahead, and a
   * consumer holding deliveries under a shorter CONSUMER_TIMEOUT looked dead to the others.
   */
  @Test
  void aQueueThatRegistersAfterTheLoopStartedBeatsWithinItsPeriod() {
    String db = pg.server().createDatabase();
    PgStore store = PgStore.open(PgConnStr.parse(pg.server().connStr(db)), "faults_late", () -> { },
        false);
    store.start();
    java.util.concurrent.ScheduledExecutorService scheduler =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    PostgresQueue q = new PostgresQueue(new io.queuekit.spi.BaseQueueConfig("faults_late",
        QueueSettings.builder().type("postgres").consumerTimeout(Duration.ofSeconds(3)).build(),
        false, java.time.Clock.systemUTC(), scheduler, data), store, () -> { });
    try {
      // the loop's first turn comes right after its LISTEN, with no queue registered yet
      await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).until(() -> !pg.server()
          .sql(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
              + "'queuekit-listen' AND datname = current_database() AND query LIKE 'LISTEN%'")
          .trim().equals("0"));
      q.open();
      q.push(io.queuekit.spi.Item.of(new byte[] {1}), Duration.ofSeconds(5));
      List<io.queuekit.spi.Delivery> held = q.claim(1, Duration.ofSeconds(5));
      assertThat(held).hasSize(1);
      String beat = "SELECT beat_at FROM queuekit_consumer WHERE id = '" + q.consumer() + "'";
      String before = pg.server().sql(db, beat);
      assertThat(before).isNotBlank();
      // holding, it beats every second (CONSUMER_TIMEOUT / 3); the old loop waited 30 s
      await().atMost(Duration.ofSeconds(15)).pollDelay(Duration.ZERO)
          .until(() -> !pg.server().sql(db, beat).equals(before));
      assertThat(q.ack(held)).containsExactly(io.queuekit.spi.Outcome.DONE);
    } finally {
      q.close();
      store.close();
      scheduler.shutdownNow();
    }
  }

  @Test
  void aUserWhoMayNotCreateTablesIsToldWhatToGrant() {
    String db = pg.server().createDatabase();
    pg.server().sql(db, "CREATE ROLE lowly LOGIN PASSWORD 'lowly-Pw1'");
    pg.server().sql(db, "REVOKE CREATE ON SCHEMA public FROM PUBLIC");
    String conn = "postgres://lowly:lowly-Pw1@127.0.0.1:" + pg.server().port() + "/" + db;
    try (QueueManager m = manager(conn)) {
      assertThatThrownBy(() -> m.createSimple("faults_priv", String.class, b -> List.of()))
          .isInstanceOf(QueueConfigException.class)
          .hasMessageContaining("faults_priv")
          .hasMessageContaining("may not create queuekit's tables in schema public")
          .hasMessageNotContaining("lowly-Pw1");
    }
  }

  /**
   * A second role using a schema its owner installed needs no CREATE anywhere: only the grants the
   * refusal names, after which it pushes and handles. (Opening used to run CREATE SCHEMA IF NOT
   * EXISTS, which PostgreSQL refuses without CREATE on the database even when the schema exists,
   * and the error advised granting CREATE on the schema, which does not help.)
   */
  @Test
  void aSecondRoleOnAnInstalledSchemaIsToldTheGrantsItNeedsAndThenWorks() throws Exception {
    String db = pg.server().createDatabase();
    String owner = pg.server().connStr(db) + "?schema=queues";
    try (QueueManager m = manager(owner)) {
      m.createSimple("faults_second", String.class, b -> List.of()).push("from the owner");
    }
    pg.server().sql(db, "CREATE ROLE second LOGIN PASSWORD 'second-Pw1'");
    String conn = "postgres://second:second-Pw1@127.0.0.1:" + pg.server().port() + "/" + db
        + "?schema=queues";
    try (QueueManager m = manager(conn)) {
      assertThatThrownBy(() -> m.createSimple("faults_second", String.class, b -> List.of()))
          .isInstanceOf(QueueConfigException.class)
          .hasMessageContaining("faults_second")
          .hasMessageContaining("user second may not use queuekit's tables in schema queues")
          .hasMessageContaining("grant USAGE on the schema")
          .hasMessageNotContaining("second-Pw1");
    }
    pg.server().sql(db, "GRANT USAGE ON SCHEMA queues TO second; "
        + "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA queues TO second; "
        + "GRANT USAGE ON ALL SEQUENCES IN SCHEMA queues TO second");
    List<String> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (QueueManager m = manager(conn)) {
      WorkerPoolQueue<String> q = m.createSimple("faults_second", String.class, b -> {
        handled.addAll(b);
        return List.of();
      });
      q.push("from the second role");
      await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() == 2);
    }
    assertThat(handled).containsExactlyInAnyOrder("from the owner", "from the second role");
  }

  @Test
  void aRoleThatMayNotCreateTheSchemaIsToldSo() {
    String db = pg.server().createDatabase();
    pg.server().sql(db, "CREATE ROLE noschema LOGIN PASSWORD 'noschema-Pw1'");
    String conn = "postgres://noschema:noschema-Pw1@127.0.0.1:" + pg.server().port() + "/" + db
        + "?schema=fresh";
    try (QueueManager m = manager(conn)) {
      assertThatThrownBy(() -> m.createSimple("faults_noschema", String.class, b -> List.of()))
          .isInstanceOf(QueueConfigException.class)
          .hasMessageContaining("user noschema may not create schema fresh")
          .hasMessageContaining("grant CREATE on the database")
          .hasMessageNotContaining("noschema-Pw1");
    }
  }

  @Test
  void anExhaustedPoolIsReportedAsUnavailableNamingTheServer() throws Exception {
    PgConnStr conn = PgConnStr.parse(pg.connStr() + "?pool=2");
    PgStore store = PgStore.open(conn, "faults_pool", () -> { }, false);
    try (java.sql.Connection a = store.connection(); java.sql.Connection b = store.connection()) {
      PgCalls calls = new PgCalls(store, "faults_pool", "faults_pool_queue");
      assertThatThrownBy(calls::len)
          .isInstanceOf(QueueUnavailableException.class)
          .hasMessageContaining("faults_pool")
          .hasMessageContaining("127.0.0.1:" + pg.server().port())
          .hasMessageNotContaining(PostgresServer.PASSWORD);
    } finally {
      store.close();
    }
  }

  /** A plain JDBC connection to {@code db}, beside the queue's pool: a second transaction. */
  private java.sql.Connection connect(String db) throws java.sql.SQLException {
    return java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:"
        + pg.server().port() + "/" + db, "postgres", PostgresServer.PASSWORD);
  }
}
