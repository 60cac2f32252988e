package io.queuekit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkerGroupTest {
  private static final long WAIT_SECONDS = 30;
  private final List<WorkerGroup> groups = new ArrayList<>();

  private WorkerGroup group(int maxWorkers, Consumer<Batch> runner) {
    WorkerGroup g = new WorkerGroup("wg", maxWorkers, Duration.ofMinutes(1), runner, b -> { });
    groups.add(g);
    return g;
  }

  @AfterEach
  void stopGroups() throws InterruptedException {
    for (WorkerGroup g : groups) {
      g.stop();
      g.awaitExit(System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS));
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aWorkerKilledByAVirtualMachineErrorIsReplacedWhileBatchesWait() throws Exception {
    Batch dies = new Batch(List.of(), false);
    Batch waits = new Batch(List.of(), false);
    CountDownLatch dying = new CountDownLatch(1);
    CountDownLatch die = new CountDownLatch(1);
    CountDownLatch waitedRan = new CountDownLatch(1);
    WorkerGroup g = group(1, b -> {
      if (b == dies) {
        dying.countDown();
        await(die);
        throw new InternalError("a VirtualMachineError the worker passes on");
      }
      waitedRan.countDown();
    });
    g.dispatch(dies);
    assertThat(dying.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    g.dispatch(waits); // the cap is reached: it waits for the only worker
    die.countDown();
    assertThat(waitedRan.await(WAIT_SECONDS, TimeUnit.SECONDS))
        .as("a batch left waiting when its only worker died").isTrue();
  }
}
