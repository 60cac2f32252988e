package io.queuekit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.conformance.QueueFixture;
import io.queuekit.conformance.crash.ChildJvm;
import io.queuekit.conformance.crash.ConsumerChild;
import io.queuekit.conformance.postgres.PostgresExtension;
import io.queuekit.conformance.postgres.PostgresServer;
import io.queuekit.spi.BaseQueue;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three consumer JVMs share one unique queue while this JVM pushes 20,000 items (fewer than on
 * Redis: at PostgreSQL's pace 50,000 took 40 s of the CI budget); one consumer is killed with
 * SIGKILL part-way. Every item is handled at least once, duplicates stay within the
 * crash bound, and the store's invariants hold at every check (every 100 ms) throughout: the
 * room counters add up to the waiting rows, no slot is over its cap while another has room,
 * and no identity waits twice.
 */
class PostgresMultiProcessTest {
  @RegisterExtension
  static final PostgresExtension pg = new PostgresExtension();

  private static final int ITEMS = 20_000;
  private static final String INVARIANT = "SELECT "
      + "(SELECT coalesce(sum(waiting), 0) FROM queuekit_room WHERE queue = 'multi_queue'), "
      + "(SELECT count(*) FROM queuekit_item WHERE queue = 'multi_queue' AND state IN ('R','D')),"
      + "(SELECT count(DISTINCT digest) FROM queuekit_item WHERE queue = 'multi_queue' "
      + "AND state IN ('R','D')), "
      + "(SELECT count(*) FILTER (WHERE waiting > cap) > 0 AND count(*) FILTER "
      + "(WHERE waiting < cap) > 0 FROM queuekit_room WHERE queue = 'multi_queue')";

  @TempDir Path dir;

  @Test
  void threeConsumersOneKilledNothingLost() throws Exception {
    List<ChildJvm> children = new ArrayList<>();
    List<Path> outputs = new ArrayList<>();
    List<String> violations = new CopyOnWriteArrayList<>();
    AtomicLong checks = new AtomicLong();
    ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor();
    String url = "jdbc:postgresql://127.0.0.1:" + pg.server().port() + "/" + pg.database();
    try (QueueFixture f = new QueueFixture(new PostgresTestBackend(pg.connStr()), "multi", dir);
        Connection inspector = DriverManager.getConnection(url, "postgres",
            PostgresServer.PASSWORD)) {
      BaseQueue producer = f.open(true, 100_000, b -> b);
      // the fixture names queues itself; the children open the producer's queue by its name
      String name = producer.name();
      for (int i = 0; i < 3; i++) {
        Path out = dir.resolve("child" + i + ".txt");
        outputs.add(out);
        ChildJvm c = ChildJvm.start(ConsumerChild.class, "postgres", pg.connStr(), name,
            out.toString());
        children.add(c);
        c.awaitLine("READY", Duration.ofSeconds(60));
      }
      String invariant = INVARIANT.replace("multi_queue", name + "_queue");
      checker.scheduleAtFixedRate(() -> {
        try (Statement s = inspector.createStatement();
            ResultSet r = s.executeQuery(invariant)) {
          r.next();
          checks.incrementAndGet();
          if (r.getLong(1) != r.getLong(2) || r.getLong(2) != r.getLong(3) || r.getBoolean(4)) {
            violations.add("room " + r.getLong(1) + ", waiting rows " + r.getLong(2)
                + ", identities " + r.getLong(3) + ", over cap beside room " + r.getBoolean(4));
          }
        } catch (Exception e) {
          violations.add(e.toString());
        }
      }, 0, 100, TimeUnit.MILLISECONDS);

      Map<Integer, Integer> seen = ConsumerChild.pushKillingTheFirst(producer, children, outputs,
          ITEMS, Duration.ofSeconds(180));
      checker.shutdown();
      checker.awaitTermination(10, TimeUnit.SECONDS);

      assertThat(seen).hasSize(ITEMS);
      long duplicates = seen.values().stream().mapToLong(c -> c - 1).sum();
      // docs/DESIGN.md §7: duplicates ≤ kills × BATCH_LENGTH × (MAX_WORKERS + 1)
      assertThat(duplicates).isLessThanOrEqualTo(1 * 20 * (2 + 1));
      assertThat(checks.get()).isGreaterThan(10);
      assertThat(violations).isEmpty();
      assertThat(producer.stats().dead()).isZero();
    } finally {
      checker.shutdownNow();
      for (ChildJvm c : children) {
        c.close();
      }
    }
  }
}
