package io.queuekit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.conformance.QueueFixture;
import io.queuekit.conformance.postgres.PostgresExtension;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the shared suites cannot say about the PostgreSQL backend. */
class PostgresQueueTest {
  @RegisterExtension
  static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path dir;

  private static Item item(String s) {
    return Item.of(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void itemsAClaimWithALostReplyPutInFlightAreGivenBackByTheNextClaim() {
    PostgresTestBackend backend = new PostgresTestBackend(pg.connStr());
    try (QueueFixture f = new QueueFixture(backend, "lostreply", dir)) {
      PostgresQueue q = (PostgresQueue) f.open(false, 10, b -> b);
      q.push(item("held"), Duration.ofSeconds(1));
      q.push(item("orphan"), Duration.ofSeconds(1));
      List<Delivery> held = q.claim(1, Duration.ofSeconds(1));
      // what a claim committed by the server but whose reply never came back leaves behind
      pg.server().sql(pg.database(), "UPDATE queuekit_item SET state = 'F', pos = NULL, "
          + "delivery_id = nextval('queuekit_delivery'), consumer = '" + q.consumer() + "' "
          + "WHERE queue = '" + q.storageName() + "' AND state = 'R'");
      assertThat(q.claim(10, Duration.ZERO)).as("nothing ready: the orphan is in flight").isEmpty();
      q.claimReplyLost();

      List<Delivery> again = q.claim(10, Duration.ofSeconds(1));

      assertThat(again).extracting(d -> new String(d.payload(), StandardCharsets.UTF_8))
          .containsExactly("orphan");
      assertThat(again.get(0).deliveryCount()).isZero();
      assertThat(q.ack(held)).containsExactly(Outcome.DONE);
      assertThat(q.ack(again)).containsExactly(Outcome.DONE);
    }
  }

  @Test
  void aSchemaHoldingANewerLayoutIsRefusedNamingBothVersions() {
    PostgresTestBackend backend = new PostgresTestBackend(pg.connStr() + "?schema=newer");
    try (QueueFixture f = new QueueFixture(backend, "newer", dir)) {
      f.open(false, 10, b -> b).close();
      pg.server().sql(pg.database(), "UPDATE newer.queuekit_layout SET version = 2");
      assertThatThrownBy(() -> f.open(false, 10, b -> b))
          .isInstanceOf(io.queuekit.QueueConfigException.class)
          .hasMessageContaining("schema newer")
          .hasMessageContaining("layout 2, newer than this version's layout 1")
          .hasMessageNotContaining(io.queuekit.conformance.postgres.PostgresServer.PASSWORD);
    }
  }

  @Test
  void aSchemaIsCreatedWhereTheConnStrSaysAndTablesOnce() {
    PostgresTestBackend backend = new PostgresTestBackend(pg.connStr() + "?schema=own_place");
    try (QueueFixture f = new QueueFixture(backend, "own", dir)) {
      BaseQueue a = f.open(false, 10, b -> b);
      BaseQueue b = f.open(true, 10, x -> x);
      a.push(item("x"), Duration.ofSeconds(1));
      assertThat(pg.server().sql(pg.database(), "SELECT count(*) FROM own_place.queuekit_item"))
          .isEqualTo("1");
      assertThat(pg.server().sql(pg.database(), "SELECT count(*) FROM own_place.queuekit_layout"))
          .as("one layout row however many queues opened").isEqualTo("1");
      assertThat(b.len()).isZero();
    }
  }

  @Test
  void aKilledQueuesItemsComeBackAtReopen() {
    PostgresTestBackend backend = new PostgresTestBackend(pg.connStr());
    try (QueueFixture f = new QueueFixture(backend, "kill", dir)) {
      BaseQueue q = f.open(false, 10, b -> b);
      q.offer(item("b"));
      q.offer(item("a"));
      List<Delivery> got = q.claim(3, Duration.ofSeconds(1));
      assertThat(got).hasSize(2);
      q.push(item("b"), Duration.ofSeconds(1), Duration.ofSeconds(1));
      q.push(item("c"), Duration.ZERO, Duration.ofSeconds(1));
      q.push(item("a"), Duration.ofSeconds(1), Duration.ofSeconds(1));
      assertThat(q.len()).isEqualTo(3);
      backend.kill(q);
      BaseQueue again = f.reopen(q);
      assertThat(again.len()).isEqualTo(5);
    }
  }

  /**
   * Producers waiting for room, consumers claiming and releasing, all on one small queue: no
   * transaction may deadlock. Deadlocks are retried, so nothing would be lost, but each costs the
   * server's deadlock_timeout (1 s) and a consumer stalled past CONSUMER_TIMEOUT saw its items
   * recovered under it (the racing conformance test failed on STALE).
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void racingProducersAndConsumersNeverDeadlock(boolean unique) throws Exception {
    PostgresTestBackend backend = new PostgresTestBackend(pg.connStr());
    int before = pg.server().logLines("deadlock detected").size();
    try (QueueFixture f = new QueueFixture(backend, "deadlock" + unique, dir)) {
      BaseQueue q = f.open(unique, 10, b -> b);
      int total = 4 * 100;
      AtomicInteger acked = new AtomicInteger();
      ExecutorService threads = Executors.newFixedThreadPool(7);
      try {
        List<Future<?>> running = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
          String producer = "p" + p + "-";
          running.add(threads.submit(() -> {
            for (int i = 0; i < 100; i++) {
              q.push(item(producer + i), Duration.ofSeconds(60));
            }
            return null;
          }));
        }
        for (int c = 0; c < 3; c++) {
          running.add(threads.submit(() -> {
            while (acked.get() < total) {
              for (Delivery d : q.claim(5, Duration.ofMillis(50))) {
                if (d.deliveryCount() == 0) {
                  assertThat(q.release(d, Duration.ZERO)).isEqualTo(Outcome.DONE);
                } else {
                  assertThat(q.ack(List.of(d))).containsExactly(Outcome.DONE);
                  acked.incrementAndGet();
                }
              }
            }
            return null;
          }));
        }
        for (Future<?> r : running) {
          r.get(2, TimeUnit.MINUTES);
        }
      } finally {
        threads.shutdownNow();
      }
      assertThat(acked).hasValue(total);
    }
    assertThat(pg.server().logLines("deadlock detected").subList(before,
        pg.server().logLines("deadlock detected").size())).isEmpty();
  }
}
