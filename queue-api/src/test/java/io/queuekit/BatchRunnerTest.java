package io.queuekit;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchRunnerTest {
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stopScheduler() {
    scheduler.shutdownNow();
  }

  @Test
  void aBatchShutdownGaveBackBeforeItsWorkerBeganIsNotRun() {
    // A worker that had taken the batch but not begun it when shutdown gave it back (claimed its
    // settlement and unclaimed it): running the handler now would handle an item that is back in
    // the store, after the queue was shut down, with no way to interrupt it.
    FakeBaseQueue base = new FakeBaseQueue("givenback");
    base.push(Item.of("\"a\"".getBytes(StandardCharsets.UTF_8)), Duration.ZERO, Duration.ZERO);
    List<Delivery> claimed = base.claim(1, Duration.ZERO);
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger settled = new AtomicInteger();
    Counters counters = new Counters();
    BatchRunner<String> runner = new BatchRunner<>("givenback", base, JacksonCodec.of(String.class),
        Handling.<String>plain(items -> {
          calls.incrementAndGet();
          return List.of();
        }), QueueSettings.builder().type("channel").build(),
        new Backoff(Duration.ZERO, Duration.ZERO, () -> 0.5), new Listeners<>("givenback", List.of()),
        counters, java.time.Clock.systemUTC(), scheduler, settled::addAndGet, b -> { });
    Batch batch = new Batch(claimed, false);
    assertThat(batch.claimSettlement()).as("shutdown takes it").isTrue();
    runner.run(batch);
    assertThat(calls).hasValue(0);
    assertThat(base.inFlight()).as("left for shutdown's unclaim").isEqualTo(1);
    assertThat(settled).hasValue(0);
    assertThat(counters.stale.sum()).as("no late verdict: no handler saw it").isZero();
  }
}
