package io.queuekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manager's own refusals (its queues' behaviour is WorkerPoolQueueTest's). */
class QueueManagerTest {
  @TempDir Path data;

  @Test
  void aClosedManagerRefusesNewQueuesNamingItselfNotAQueue() {
    QueueManager m = QueueManager.builder().dataPath(data).claimWait(Duration.ofMillis(100))
        .build();
    m.close();
    // it once said: queue "manager" is closed
    assertThatThrownBy(() -> m.createSimple("late", String.class, batch -> List.of()))
        .isInstanceOf(QueueClosedException.class)
        .hasMessage("the queue manager is closed; it creates no more queues");
  }

  @Test
  void aQueueWhoseClaimThreadCannotStartIsNotKeptAndItsNameIsFreeAgain() {
    // It was kept, open and claiming nothing: it took pushes it never handled, and its name
    // stayed taken.
    RefusingThreads threads = new RefusingThreads(1);
    try (QueueManager m = QueueManager.builder().dataPath(data).claimWait(Duration.ofMillis(100))
        .threadFactory(threads).build()) {
      assertThatThrownBy(() -> m.createSimple("noclaimer", String.class, batch -> List.of()))
          .isInstanceOf(QueueException.class)
          .hasMessageStartingWith("queue \"noclaimer\": its claim thread could not be started")
          .hasCauseInstanceOf(OutOfMemoryError.class);
      assertThat(m.queue("noclaimer")).isEmpty();
      List<String> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
      WorkerPoolQueue<String> q = m.createSimple("noclaimer", String.class, batch -> {
        handled.addAll(batch);
        return List.of();
      });
      q.push("a");
      await().atMost(Duration.ofSeconds(30)).until(() -> handled.contains("a"));
    }
  }

  @Test
  void aQueueThatCannotBeBuiltClosesTheStoreItOpened() {
    // The store was left open: its connections, or a LevelDB's lock, held for good.
    List<FakeBaseQueue> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
    FakeBackends fakes = new FakeBackends();
    io.queuekit.spi.BaseQueues backends = io.queuekit.spi.BaseQueues.of(List.of(
        new io.queuekit.spi.BaseQueueFactory() {
          @Override
          public java.util.Set<String> types() {
            return fakes.types();
          }

          @Override
          public io.queuekit.spi.BaseQueue create(String type,
              io.queuekit.spi.BaseQueueConfig config) {
            FakeBaseQueue q = (FakeBaseQueue) fakes.create(type, config);
            opened.add(q);
            return q;
          }
        }));
    java.util.concurrent.atomic.AtomicBoolean refuseOnce =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.ThreadFactory threads = r -> {
      if (refuseOnce.getAndSet(false)) {
        throw new OutOfMemoryError(RefusingThreads.OOM); // the claim thread, made as it is built
      }
      return new Thread(r);
    };
    try (QueueManager m = QueueManager.builder().dataPath(data).claimWait(Duration.ofMillis(100))
        .backends(backends).threadFactory(threads).build()) {
      assertThatThrownBy(() -> m.createSimple("unbuilt", String.class, batch -> List.of()))
          .isInstanceOf(OutOfMemoryError.class);
      assertThat(opened).hasSize(1);
      assertThat(opened.get(0).closed()).isTrue();
      assertThat(m.queue("unbuilt")).isEmpty();
      m.createSimple("unbuilt", String.class, batch -> List.of());
      assertThat(opened).hasSize(2);
      assertThat(opened.get(1).closed()).isFalse();
    }
  }

  @Test
  void aHealthCheckThatRacedAQueuesCloseKeepsNoStateForIt() {
    // health() took the queue, the queue closed and was forgotten, then the check made its state:
    // kept for as long as the manager lived, one more per such race.
    try (QueueManager m = QueueManager.builder().dataPath(data).claimWait(Duration.ofMillis(100))
        .build()) {
      HealthWatch watch = new HealthWatch(java.time.Clock.systemUTC(), Duration.ofMinutes(15),
          q -> m.queue(q.name()).orElse(null) == q);
      WorkerPoolQueue<String> kept = m.createSimple("kept", String.class, batch -> List.of());
      WorkerPoolQueue<String> gone = m.createSimple("gone", String.class, batch -> List.of());
      gone.close();
      assertThat(watch.check(gone, Duration.ofMinutes(1)).name()).isEqualTo("gone");
      assertThat(watch.check(kept, Duration.ofMinutes(1)).reachable()).isTrue();
      assertThat(watch.watched()).isEqualTo(1);
    }
  }

  @Test
  void closeShutsDownEveryQueueEvenWhenAShutdownThreadCannotStart() {
    // start() threw out of close() with the manager already marked closed: the queues not yet
    // handed to a thread stayed open for good, as a second close() returned at once.
    RefusingThreads threads = new RefusingThreads(0);
    QueueManager m = QueueManager.builder().dataPath(data).claimWait(Duration.ofMillis(100))
        .threadFactory(threads).build();
    WorkerPoolQueue<String> a = m.createSimple("a", String.class, batch -> List.of());
    WorkerPoolQueue<String> b = m.createSimple("b", String.class, batch -> List.of());
    threads.refuse.set(1); // the first shutdown thread (no worker has started: nothing pushed)
    m.close();
    assertThat(threads.refused.get()).isEqualTo(1);
    assertThat(m.queues()).isEmpty();
    assertThatThrownBy(() -> a.push("x")).isInstanceOf(QueueClosedException.class);
    assertThatThrownBy(() -> b.push("x")).isInstanceOf(QueueClosedException.class);
  }
}
