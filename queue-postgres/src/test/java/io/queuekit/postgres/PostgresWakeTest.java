package io.queuekit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.QueueSettings;
import io.queuekit.conformance.postgres.PostgresExtension;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * No polling herd: an idle claim loop runs no query, and a push wakes one waiting process per
 * item it made ready, not all of them. Each "process" here is a factory of its own (its own
 * pool, listening connection and beat, as a separate JVM has); statements are counted by the
 * server's {@code pg_stat_statements}.
 */
class PostgresWakeTest {
  @RegisterExtension
  static final PostgresExtension pg = new PostgresExtension();

  @TempDir Path dir;
  private final List<BaseQueue> opened = new ArrayList<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService claimers = Executors.newCachedThreadPool();

  @BeforeEach
  void statements() {
    pg.server().sql(pg.database(), "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  }

  @AfterEach
  void close() throws InterruptedException {
    opened.forEach(BaseQueue::close);
    claimers.shutdownNow();
    claimers.awaitTermination(10, TimeUnit.SECONDS);
    scheduler.shutdownNow();
  }

  /** The queue {@code name} as a process of its own would open it. */
  private BaseQueue openInNewProcess(String name) {
    BaseQueue q = new PostgresQueueFactory().create("postgres", new BaseQueueConfig(name,
        QueueSettings.builder().type("postgres").connStr(pg.connStr()).build(), false,
        Clock.systemUTC(), scheduler, dir));
    opened.add(q);
    return q;
  }

  private long claimCalls() {
    return Long.parseLong(pg.server().sql(pg.database(), "SELECT coalesce(sum(calls), 0) "
        + "FROM pg_stat_statements WHERE query LIKE '%queuekit_claim(%'"));
  }

  private long waiters(String name) {
    return Long.parseLong(pg.server().sql(pg.database(), "SELECT count(*) FROM queuekit_waiter "
        + "WHERE kind = 'w' AND queue = '" + name + "_queue'"));
  }

  /**
   * Opens {@code name} in {@code n} new processes (added to {@code processes}), each claiming up
   * to 10 items, and returns their claims once all {@code n} are registered as waiters.
   */
  private List<CompletableFuture<List<Delivery>>> waitingProcesses(String name, int n,
      List<BaseQueue> processes) {
    List<CompletableFuture<List<Delivery>>> claims = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      BaseQueue q = openInNewProcess(name);
      processes.add(q);
      claims.add(CompletableFuture.supplyAsync(() -> q.claim(10, Duration.ofSeconds(20)),
          claimers));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> waiters(name) == n);
    return claims;
  }

  @Test
  void anIdleClaimLoopRunsNoQuery() {
    BaseQueue q = openInNewProcess("wake_idle");
    // a claim loop as the pool runs it: claim with a short wait, again and again
    CompletableFuture<List<Delivery>> loop = CompletableFuture.supplyAsync(() -> {
      for (int i = 0; i < 12; i++) {
        List<Delivery> got = q.claim(10, Duration.ofMillis(250));
        if (!got.isEmpty()) {
          return got;
        }
      }
      return List.of();
    }, claimers);
    await().atMost(Duration.ofSeconds(10)).until(() -> waiters("wake_idle") == 1);
    long before = claimCalls();

    List<Delivery> got = loop.join(); // twelve claims of 250 ms each, all idle

    assertThat(got).isEmpty();
    assertThat(claimCalls() - before).as("claim statements while idle").isZero();
    // and the registration still stands, so a push would find it
    assertThat(waiters("wake_idle")).isEqualTo(1);
  }

  @Test
  void aPushWakesOneWaitingProcessPerReadyItem() {
    List<BaseQueue> processes = new ArrayList<>();
    List<CompletableFuture<List<Delivery>>> claims = waitingProcesses("wake_one", 3, processes);
    long before = claimCalls();

    processes.get(0).push(Item.of("one".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));

    await().atMost(Duration.ofSeconds(10)).until(() -> claims.stream().anyMatch(
        CompletableFuture::isDone));
    assertThat(claims.stream().filter(CompletableFuture::isDone).count()).isEqualTo(1);
    assertThat(waiters("wake_one")).as("the other two stay registered, not woken").isEqualTo(2);
    assertThat(claimCalls() - before).as("one claim ran: the woken process's").isEqualTo(1);
    CompletableFuture<List<Delivery>> done = claims.stream().filter(CompletableFuture::isDone)
        .findFirst().orElseThrow();
    assertThat(done.join()).hasSize(1);
  }

  /**
   * A batch push looks at the waiters once, after its last item, waking up to one per item: its
   * wake function runs once, not once per item, and still wakes every waiting process.
   */
  @Test
  void aBatchPushWakesOnceForAllItsItems() {
    List<CompletableFuture<List<Delivery>>> claims =
        waitingProcesses("wake_batch", 3, new ArrayList<>());

    // the push as PgCalls sends it, with the function calls of its own transaction counted
    String out = pg.server().sql(pg.database(), "SET track_functions = 'pl'; "
        + "SELECT queuekit_push_all('wake_batch_queue', array_fill('\\x01'::bytea, ARRAY[50]), "
        + "array_fill(NULL::bytea, ARRAY[50]), 0, 0); "
        + "SELECT calls FROM pg_stat_xact_user_functions WHERE funcname = 'queuekit_wake'");

    List<String> lines = out.strip().lines().toList();
    assertThat(lines.get(0)).as("every item admitted").isEqualTo("{" + "0,".repeat(49) + "0}");
    assertThat(lines.get(lines.size() - 1)).as("wake calls in the push's transaction: " + out)
        .isEqualTo("1");
    await().atMost(Duration.ofSeconds(10)).until(() -> claims.stream().allMatch(
        CompletableFuture::isDone));
    assertThat(claims).allSatisfy(c -> assertThat(c.join()).hasSize(10));
    assertThat(waiters("wake_batch")).isZero();
  }
}
