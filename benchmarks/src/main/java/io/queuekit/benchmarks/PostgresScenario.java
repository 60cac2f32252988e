package io.queuekit.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueSpec;
import io.queuekit.conformance.postgres.PostgresServer;
import io.queuekit.postgres.PostgresQueueFactory;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The PostgreSQL backend against what a team would write by hand on the same server: a raw JDBC
 * job table with a {@code FOR UPDATE SKIP LOCKED} claim, the same HikariCP pool size, batch and
 * payload; {@code pushAll} against pushing item by item; and what 100 idle waiters in 10
 * processes cost the server, in statements per second from {@code pg_stat_statements}.
 *
 * <p>Runs on its own throwaway server (the test fixture's {@link PostgresServer}: {@code initdb}
 * and {@code pg_ctl} on a free port; {@code fsync} off, {@code synchronous_commit} on), so it
 * measures the round trips and the server's work, not the disk.
 */
final class PostgresScenario implements Scenario {
  private static final int BATCH = 20;
  private static final int POOL = 10;
  private static final byte[] PAYLOAD = new byte[182];

  static {
    Arrays.fill(PAYLOAD, (byte) 'x');
  }

  @Override
  public String key() {
    return "postgres";
  }

  @Override
  public String title() {
    return "postgres: PostgreSQL `BaseQueue` vs a raw JDBC `SKIP LOCKED` loop; idle cost";
  }

  @Override
  public Optional<String> unavailable() {
    String bin = System.getenv("PG_BIN");
    if (bin != null || Files.isDirectory(Path.of("/usr/lib/postgresql"))) {
      return Optional.empty();
    }
    return Optional.of("no PostgreSQL server binaries (apt-get install postgresql, or set PG_BIN)");
  }

  @Override
  public Duration estimate(Profile profile) {
    return profile == Profile.FULL ? Duration.ofSeconds(75) : Duration.ofSeconds(15);
  }

  private record Settings(int items, int rounds, Duration idleWindow, int processes,
      int queuesEach) {}

  @Override
  public Result run(Profile profile, boolean quiet) throws Exception {
    // the idle window spans more than one beat period (CONSUMER_TIMEOUT, 30 s, while idle)
    Settings s = profile == Profile.FULL ? new Settings(4_000, 3, Duration.ofSeconds(35), 10, 10)
        : new Settings(200, 1, Duration.ofSeconds(2), 2, 2);
    try (PostgresServer server = PostgresServer.start(
        List.of("shared_preload_libraries=pg_stat_statements"))) {
      String db = server.createDatabase();
      server.sql(db, "CREATE EXTENSION pg_stat_statements");
      String conn = server.connStr(db) + "?pool=" + POOL;
      String jdbc = "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + db;
      Map<String, Double> numbers = new LinkedHashMap<>();
      List<Double> ours = new ArrayList<>();
      List<Double> raw = new ArrayList<>();
      List<Double> pushAll = new ArrayList<>();
      List<Double> perItem = new ArrayList<>();
      List<Double> eightSlots = new ArrayList<>();
      List<Double> oneSlot = new ArrayList<>();
      ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
      try (HikariDataSource pool = pool(jdbc)) {
        BaseQueue q = new PostgresQueueFactory().create("postgres", new BaseQueueConfig(
            "bench", QueueSettings.builder().type("postgres").connStr(conn).build(), false,
            Clock.systemUTC(), scheduler, Files.createTempDirectory("queuekit-bench-pg-")));
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
          st.execute("CREATE TABLE raw_jobs (id bigserial PRIMARY KEY, payload bytea NOT NULL, "
              + "claimed boolean NOT NULL DEFAULT false)");
          st.execute("CREATE INDEX raw_jobs_ready ON raw_jobs (id) WHERE NOT claimed");
        }
        // a warm-up of each side, then interleaved rounds
        throughputOurs(q, s.items() / 4);
        throughputRaw(pool, s.items() / 4);
        for (int r = 0; r < s.rounds(); r++) {
          ours.add(throughputOurs(q, s.items()));
          raw.add(throughputRaw(pool, s.items()));
          pushAll.add(pushRate(q, s.items(), true));
          perItem.add(pushRate(q, s.items(), false));
          eightSlots.add(concurrentPushRate(q, pool, s.items(), false));
          oneSlot.add(concurrentPushRate(q, pool, s.items(), true));
        }
        setSlots(pool, false);
        q.close();
      } finally {
        scheduler.shutdownNow();
      }
      double idle = idleStatementsPerSecond(server, db, conn, s);
      double oursMed = median(ours);
      double rawMed = median(raw);
      double allMed = median(pushAll);
      double itemMed = median(perItem);
      numbers.put("queuekit.items_per_s", oursMed);
      numbers.put("raw.items_per_s", rawMed);
      numbers.put("pushAll.push_items_per_s", allMed);
      numbers.put("push.push_items_per_s", itemMed);
      numbers.put("slots8.concurrent_push_items_per_s", median(eightSlots));
      numbers.put("slots1.concurrent_push_items_per_s", median(oneSlot));
      numbers.put("queuekit.idle_statements_per_s", idle);
      // the aim's bound, as the second side of the idle comparison
      numbers.put("aim.idle_statements_per_s", 1.0);
      return new Result(markdown(s, ours, raw, pushAll, perItem, eightSlots, oneSlot, idle),
          numbers);
    }
  }

  private static HikariDataSource pool(String jdbc) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(jdbc);
    cfg.setUsername("postgres");
    cfg.setPassword(PostgresServer.PASSWORD);
    cfg.setMaximumPoolSize(POOL);
    return new HikariDataSource(cfg);
  }

  /** Pushes item by item, then drains claiming 20 and acking: items / (push + drain time). */
  private static double throughputOurs(BaseQueue q, int items) throws Exception {
    long t0 = System.nanoTime();
    for (int i = 0; i < items; i++) {
      q.push(Item.of(PAYLOAD), Duration.ofSeconds(30));
    }
    int done = 0;
    while (done < items) {
      List<Delivery> got = q.claim(BATCH, Duration.ofMillis(200));
      if (!got.isEmpty()) {
        q.ack(got);
        done += got.size();
      }
    }
    return items / ((System.nanoTime() - t0) / 1e9);
  }

  /**
   * The hand-written side: INSERT per item; claim = UPDATE … WHERE id IN (SELECT … FOR UPDATE
   * SKIP LOCKED LIMIT 20) RETURNING; ack = DELETE … = ANY; an empty claim polls again after 1 ms.
   */
  private static double throughputRaw(HikariDataSource pool, int items) throws Exception {
    long t0 = System.nanoTime();
    for (int i = 0; i < items; i++) {
      try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(
          "INSERT INTO raw_jobs (payload) VALUES (?)")) {
        s.setBytes(1, PAYLOAD);
        s.executeUpdate();
      }
    }
    int done = 0;
    while (done < items) {
      List<Long> ids = new ArrayList<>();
      try (Connection c = pool.getConnection()) {
        try (PreparedStatement s = c.prepareStatement("UPDATE raw_jobs SET claimed = true "
            + "WHERE id IN (SELECT id FROM raw_jobs WHERE NOT claimed ORDER BY id LIMIT ? "
            + "FOR UPDATE SKIP LOCKED) RETURNING id, payload")) {
          s.setInt(1, BATCH);
          try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
              ids.add(r.getLong(1));
              if (r.getBytes(2).length != PAYLOAD.length) {
                throw new IllegalStateException("raw_jobs returned a payload of another size");
              }
            }
          }
        }
        if (!ids.isEmpty()) {
          try (PreparedStatement s = c.prepareStatement(
              "DELETE FROM raw_jobs WHERE id = ANY(?)")) {
            Array a = c.createArrayOf("bigint", ids.toArray());
            s.setArray(1, a);
            s.executeUpdate();
          }
        }
      }
      if (ids.isEmpty()) {
        Thread.sleep(1); // the hand-written loop's poll: nothing tells it an item arrived
      }
      done += ids.size();
    }
    return items / ((System.nanoTime() - t0) / 1e9);
  }

  /** Pushes {@code items} by pushAll or item by item: items/s of the push calls; then empties. */
  private static double pushRate(BaseQueue q, int items, boolean all) {
    List<Item> list = new ArrayList<>(items);
    for (int i = 0; i < items; i++) {
      list.add(Item.of(PAYLOAD));
    }
    long t0 = System.nanoTime();
    if (all) {
      q.pushAll(list, Duration.ofSeconds(30));
    } else {
      for (Item it : list) {
        q.push(it, Duration.ofSeconds(30));
      }
    }
    double rate = items / ((System.nanoTime() - t0) / 1e9);
    q.removeAll();
    return rate;
  }

  private static final int PUSHERS = 4;

  /**
   * {@value #PUSHERS} threads pushing {@code items} in all, item by item, into one queue: items/s.
   * With {@code oneSlot}, the queue's LENGTH sits in one room row (the other seven capped at 0),
   * as a single counter would: every push then locks that row.
   */
  private static double concurrentPushRate(BaseQueue q, HikariDataSource pool, int items,
      boolean oneSlot) throws Exception {
    setSlots(pool, oneSlot);
    List<Thread> threads = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int t = 0; t < PUSHERS; t++) {
      Thread th = new Thread(() -> {
        for (int i = 0; i < items / PUSHERS; i++) {
          q.push(Item.of(PAYLOAD), Duration.ofSeconds(30));
        }
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    double rate = (items / PUSHERS * PUSHERS) / ((System.nanoTime() - t0) / 1e9);
    q.removeAll();
    return rate;
  }

  /** The room caps of the scenario's queue: spread over 8 slots, or all in slot 0. */
  private static void setSlots(HikariDataSource pool, boolean oneSlot) throws Exception {
    try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
      st.execute(oneSlot
          ? "UPDATE queuekit_room SET cap = CASE WHEN slot = 0 THEN 100000 ELSE 0 END"
          : "UPDATE queuekit_room SET cap = 12500");
    }
  }

  /**
   * {@code processes} child JVMs (10 in the full run), each with {@code queuesEach} idle queues
   * (10; default settings: claim wait 2 s, {@code CONSUMER_TIMEOUT} 30 s): statements per second
   * over the idle window, counted by {@code pg_stat_statements} (top-level statements, utility
   * ones included), the window's first reading included. The window opens once every claim loop
   * is registered as a waiter.
   */
  private static double idleStatementsPerSecond(PostgresServer server, String db, String conn,
      Settings s) throws Exception {
    Duration window = s.idleWindow();
    String waiters = Integer.toString(s.processes() * s.queuesEach());
    List<Forks.Child> children = new ArrayList<>();
    try {
      for (int i = 0; i < s.processes(); i++) {
        children.add(Forks.start("pg-idle-" + i, IdleChild.class,
            List.of("-Xmx128m", "-XX:TieredStopAtLevel=1"),
            List.of(conn, Integer.toString(s.queuesEach())), Duration.ofMinutes(3)));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (!server.sql(db, "SELECT count(*) FROM queuekit_waiter WHERE kind = 'w'")
          .equals(waiters)) {
        for (Forks.Child ch : children) {
          if (!ch.process.isAlive()) {
            throw new IllegalStateException("idle child " + ch.name + " exited early");
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the " + waiters
              + " idle waiters did not register in 90 s");
        }
        Thread.sleep(100);
      }
      String count = "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s "
          + "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database()";
      long before = Long.parseLong(server.sql(db, count));
      long t0 = System.nanoTime();
      Thread.sleep(window.toMillis());
      long after = Long.parseLong(server.sql(db, count));
      double seconds = (System.nanoTime() - t0) / 1e9;
      // the "before" reading itself is counted: an upper bound by one statement
      return (after - before) / seconds;
    } finally {
      Forks.stop(children);
    }
  }

  /** A child JVM: a manager with N idle postgres queues, until the parent ends it. */
  static final class IdleChild {
    public static void main(String[] a) throws Exception {
      Path data = Files.createTempDirectory("queuekit-bench-pg-idle-");
      QueueManager m = QueueManager.builder().dataPath(data).config(QueueConfig.of(
          QueueSettings.builder().type("postgres").connStr(a[0]).build())).build();
      for (int i = 0; i < Integer.parseInt(a[1]); i++) {
        m.create(QueueSpec.simple("idle-" + i, Payload.class, batch -> List.of()));
      }
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static String range(List<Double> xs) {
    return Text.count(xs.stream().mapToDouble(Double::doubleValue).min().orElse(0)) + "–"
        + Text.count(xs.stream().mapToDouble(Double::doubleValue).max().orElse(0));
  }

  private static String markdown(Settings s, List<Double> ours, List<Double> raw,
      List<Double> pushAll, List<Double> perItem, List<Double> eightSlots, List<Double> oneSlot,
      double idle) {
    double slotRatio = median(eightSlots) / median(oneSlot);
    double ratio = median(ours) / median(raw);
    double allRatio = median(pushAll) / median(perItem);
    StringBuilder b = new StringBuilder();
    b.append("### Push → claim → ack\n\n");
    b.append("**Setup, the same on both sides:** one thread pushes a round's items one by one, "
        + "then drains them, claiming up to ").append(BATCH).append(" and acking each batch "
        + "(items/s = items ÷ (push time + drain time): the stores' work, not the wake-up); a "
        + "HikariCP pool of ").append(POOL).append(" connections; a 182-byte payload; ")
        .append(Text.integer(s.items())).append(" items per round, ").append(s.rounds())
        .append(" rounds per side, interleaved, after a warm-up round each. The raw side inserts "
        + "one row per item, claims with `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP "
        + "LOCKED LIMIT 20) RETURNING`, deletes with `= ANY`; it keeps no delivery id, no counts, no unique "
        + "set, no LENGTH and no dead letters.\n\n");
    b.append(Text.table(List.of("side", "items/s (median)", "rounds min–max", "ours ÷ side",
        "aim", "met"), List.of(
            List.of("queuekit `BaseQueue`, TYPE=postgres", Text.count(median(ours)), range(ours),
                "—", "—", "—"),
            List.of("raw JDBC `SKIP LOCKED` loop", Text.count(median(raw)), range(raw),
                Text.ratio(ratio), "≥ 0.80", ratio >= 0.8 ? "met" : "not met"))));
    b.append("\n**Reading:** ").append(ratio >= 0.8 ? "met. " : "not met. ")
        .append("A push here is one PL/pgSQL call running six statements (the queue's advisory "
        + "lock in shared mode, a room slot taken and counted for `LENGTH`, the insert into an "
        + "item table with three indexes over it: the key, the head order and the oldest-waiting "
        + "time, and a look for a registered waiter to wake); the raw push is one `INSERT` into "
        + "a table with one index, and the push is most of each side's time. A claim of 20 runs "
        + "one function that promotes due delayed items, moves each row into flight under a new "
        + "delivery id and counts the room back. What would move the ratio: the item table "
        + "without the oldest-waiting index (stats would then scan), or `LENGTH` counted per "
        + "batch rather than per item. For a producer with items in hand, `pushAll` (below) "
        + "takes most of the push cost away.\n\n");
    b.append("### `pushAll` vs pushing item by item\n\n");
    b.append(Text.table(List.of("side", "push items/s (median)", "rounds min–max",
        "pushAll ÷ side", "aim", "met"), List.of(
            List.of("`pushAll` (500 items per transaction)", Text.count(median(pushAll)),
                range(pushAll), "—", "—", "—"),
            List.of("`push`, one item per call", Text.count(median(perItem)), range(perItem),
                Text.ratio(allRatio), "≥ 1.00", allRatio >= 1 ? "met" : "not met"))));
    b.append("\n### `LENGTH`: eight room slots vs one counter row\n\n");
    b.append("**Method:** ").append(PUSHERS).append(" threads push a round's items item by item "
        + "into one queue (`LENGTH` 100,000); the same code with the queue's room in eight "
        + "slots, a push locking one and skipping locked ones, and with all of it in one slot, "
        + "as a single counter row would hold it.\n\n");
    b.append(Text.table(List.of("side", "push items/s (median)", "rounds min–max",
        "8 slots ÷ side", "aim", "met"), List.of(
            List.of("8 room slots (what ships)", Text.count(median(eightSlots)),
                range(eightSlots), "—", "—", "—"),
            List.of("1 counter row", Text.count(median(oneSlot)), range(oneSlot),
                Text.ratio(slotRatio), "≥ 1.00", slotRatio >= 1 ? "met" : "not met"))));
    b.append("\n### Idle cost: 100 waiters in 10 processes\n\n");
    b.append("**Method:** 10 child JVMs, each a `QueueManager` with 10 idle `TYPE=postgres` "
        + "queues at default settings (claim wait 2 s, `CONSUMER_TIMEOUT` 30 s); once all 100 "
        + "claim loops are registered as waiters, `pg_stat_statements` counts every top-level "
        + "statement over ").append(Text.duration(s.idleWindow()))
        .append(", the window's first reading included.\n\n");
    b.append(Text.table(List.of("side", "statements/s, all 100 waiters", "aim", "met"),
        List.of(List.of("queuekit, TYPE=postgres", String.format("%.2f", idle), "< 1",
            idle < 1 ? "met" : "not met"))));
    b.append("\n**Reading:** an idle claim loop runs no query: it waits for a notification on its "
        + "process's one `LISTEN` connection. What remains is one beat per process per "
        + "`CONSUMER_TIMEOUT`.\n");
    return b.toString();
  }
}
