package io.queuekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.spi.Delivery;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The worker pool over {@link FakeBaseQueue}: what the conformance suite cannot reach on the
 * in-memory backend (what shutdown hands back to the store, recovered deliveries).
 */
class WorkerPoolQueueTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final List<DefaultWorkerPoolQueue<?>> queues = new ArrayList<>();

  @AfterEach
  void tearDown() {
    for (DefaultWorkerPoolQueue<?> q : queues) {
      q.shutdown();
    }
    scheduler.shutdownNow();
  }

  private static QueueSettings settings(UnaryOperator<QueueSettings.Builder> adjust) {
    return adjust.apply(QueueSettings.builder().type("channel").batchDebounce(Duration.ofMillis(20))
        .shutdownTimeout(Duration.ofSeconds(5)).workerIdleTimeout(Duration.ofSeconds(30))).build();
  }

  private DefaultWorkerPoolQueue<String> queue(FakeBaseQueue base, QueueSettings s,
      Handler<String> handler) {
    DefaultWorkerPoolQueue<String> q = new DefaultWorkerPoolQueue<>(
        QueueSpec.simple(base.name(), String.class, handler), s, base, Clock.systemUTC(), scheduler,
        Duration.ofMillis(100), () -> { });
    queues.add(q);
    q.start();
    return q;
  }

  @Test
  void shutdownFromAnInterruptedThreadStillGivesBackWhatTheClaimLoopHolds() {
    FakeBaseQueue base = new FakeBaseQueue("interruptedshutdown");
    DefaultWorkerPoolQueue<String> q = queue(base,
        settings(b -> b.batchLength(10).batchDebounce(Duration.ofMinutes(1))), items -> List.of());
    for (int i = 0; i < 3; i++) {
      q.push("item" + i);
    }
    // claimed into the claim loop's batch, which waits for its debounce
    await().atMost(WAIT).until(() -> base.inFlight() == 3);
    Thread.currentThread().interrupt();
    boolean stillInterrupted;
    try {
      q.shutdown();
    } finally {
      stillInterrupted = Thread.interrupted();
    }
    assertThat(stillInterrupted).as("the interrupt flag is kept").isTrue();
    assertThat(base.unclaimed()).extracting(Delivery::id).containsExactly(1L, 2L, 3L);
    assertThat(base.inFlight()).isZero();
    assertThat(base.closed()).isTrue();
  }
}
