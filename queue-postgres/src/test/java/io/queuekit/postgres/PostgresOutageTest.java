package io.queuekit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuekit.QueueSettings;
import io.queuekit.QueueUnavailableException;
import io.queuekit.conformance.CapturedErr;
import io.queuekit.conformance.postgres.PostgresExtension;
import io.queuekit.conformance.postgres.PostgresServer;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.Item;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long a call waits while the server is away, counted in pool acquisitions that got no
 * connection (each one is a full connection timeout for its caller), never in time: at most one
 * per call, and none once the store knows the server is down (a call then tries a connection of
 * its own, refused at once, or fails without trying).
 */
class PostgresOutageTest {
  @RegisterExtension
  static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path data;

  private PostgresQueue queue(PgStore store, String name, ScheduledExecutorService scheduler) {
    PostgresQueue q = new PostgresQueue(new BaseQueueConfig(name,
        QueueSettings.builder().type("postgres").consumerTimeout(Duration.ofSeconds(3)).build(),
        false, Clock.systemUTC(), scheduler, data), store, () -> { });
    q.open();
    return q;
  }

  /** A pool that has no connection to give is asked once per call, not once more on failure. */
  @Test
  void aCallThatGetsNoPooledConnectionWaitsForOneOnlyOnce() throws Exception {
    PgConnStr conn = PgConnStr.parse(pg.server().connStr(pg.server().createDatabase()) + "?pool=2");
    PgStore store = PgStore.open(conn, "outage_pool", () -> { }, false);
    try (Connection a = store.connection(); Connection b = store.connection()) {
      PgCalls calls = new PgCalls(store, "outage_pool", "outage_pool_queue");
      long before = store.failedAcquisitions();
      assertThatThrownBy(calls::len).isInstanceOf(QueueUnavailableException.class);
      assertThat(store.failedAcquisitions() - before).as("pool acquisitions that got nothing")
          .isEqualTo(1);
    } finally {
      store.close();
    }
  }

  @Test
  void whileTheStoreKnowsTheServerIsDownCallsFailWithoutWaitingForThePool() throws Exception {
    String db = pg.server().createDatabase();
    PgStore store = PgStore.open(PgConnStr.parse(pg.server().connStr(db)), "outage_down",
        () -> { }, false);
    store.start();
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try (CapturedErr err = CapturedErr.start()) {
      PostgresQueue q = queue(store, "outage_down", scheduler);
      q.push(Item.of(new byte[] {1}), Duration.ZERO);
      pg.server().crash();
      try {
        await().atMost(Duration.ofSeconds(30))
            .until(() -> err.text().contains("is unreachable"));
        long before = store.failedAcquisitions();
        long probesBefore = store.probes();
        for (int i = 0; i < 5; i++) {
          assertThatThrownBy(() -> q.push(Item.of(new byte[] {2}), Duration.ZERO))
              .isInstanceOf(QueueUnavailableException.class)
              .hasMessageContaining("outage_down")
              .hasMessageNotContaining(PostgresServer.PASSWORD);
          assertThatThrownBy(q::stats).isInstanceOf(QueueUnavailableException.class);
        }
        // the first call may still have met the pool before the listener's reconnect failed
        assertThat(store.failedAcquisitions() - before)
            .as("pool acquisitions that got nothing, over 10 calls in the outage")
            .isLessThanOrEqualTo(1);
        // the calls try the server themselves at most once per 100 ms between them: a burst of
        // calls, each failing at once (microseconds; a refused connect is a few more), gets a
        // handful of tries, not one each (a count, not a time: the burst is 200 calls)
        long burstProbes = store.probes();
        for (int i = 0; i < 200; i++) {
          assertThatThrownBy(() -> q.push(Item.of(new byte[] {2}), Duration.ZERO))
              .isInstanceOf(QueueUnavailableException.class);
        }
        assertThat(store.probes() - burstProbes).as("connection attempts of 200 calls")
            .isLessThan(50);
        assertThat(burstProbes - probesBefore).as("connection attempts of the 10 calls")
            .isLessThanOrEqualTo(10);
        assertThatThrownBy(q::stats).hasMessageContaining("unreachable since");
      } finally {
        pg.server().restart();
      }
      // a caller's try (or the listener's reconnect) finds the server back: calls go through
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> q.stats().ready() == 1);
      q.push(Item.of(new byte[] {3}), Duration.ZERO);
      assertThat(q.stats().ready()).isEqualTo(2);
      q.close();
    } finally {
      store.close();
      scheduler.shutdownNow();
    }
  }
}
