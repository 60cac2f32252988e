package io.queuekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Watchers hear of a new queue before it claims, a throwing one fails the creation, and the
 * listeners they add to a running queue hear pushes and handler calls until removed.
 */
class QueueWatcherTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir Path data;

  /** A watcher that writes "created NAME" and "closed NAME" to {@code heard}. */
  private static QueueWatcher recording(List<String> heard) {
    return new QueueWatcher() {
      @Override
      public void created(WorkerPoolQueue<?> queue) {
        heard.add("created " + queue.name());
      }

      @Override
      public void closed(WorkerPoolQueue<?> queue) {
        heard.add("closed " + queue.name());
      }
    };
  }

  private QueueManager manager() {
    return QueueManager.builder().dataPath(data).claimWait(Duration.ofMillis(100)).build();
  }

  @Test
  void aBatchEventMadeByHandCopiesItsWaitsAndReadsThemAsNanos() {
    List<Duration> waits = new java.util.ArrayList<>(List.of(Duration.ofMillis(3), Duration.ZERO));
    BatchEvent e = new BatchEvent("q", 2, Duration.ofMillis(1), waits);
    waits.clear();
    assertThat(e.waits()).containsExactly(Duration.ofMillis(3), Duration.ZERO);
    assertThat(e.waitNanos(0)).isEqualTo(3_000_000L);
    assertThatThrownBy(() -> e.waitNanos(2)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void aWatcherThrowingForANewQueueFailsItsCreationAndTheOthersHearItClosed() {
    List<String> heard = new CopyOnWriteArrayList<>();
    try (QueueManager m = manager()) {
      m.watch(recording(heard));
      m.watch(queue -> {
        throw new QueueConfigException("no room for \"" + queue.name() + "\"");
      });
      assertThatThrownBy(() -> m.createSimple("refused", String.class, batch -> List.of()))
          .isInstanceOf(QueueConfigException.class).hasMessage("no room for \"refused\"");
      assertThat(m.queue("refused")).as("not kept by the manager").isEmpty();
      assertThat(heard).containsExactly("created refused", "closed refused");
    }
  }

  @Test
  void aWatcherThrowingOnACloseNeitherFailsTheShutdownNorSilencesTheOthers() {
    List<String> heard = new CopyOnWriteArrayList<>();
    try (QueueManager m = manager()) {
      m.watch(new QueueWatcher() {
        @Override
        public void created(WorkerPoolQueue<?> queue) {}

        @Override
        public void closed(WorkerPoolQueue<?> queue) {
          throw new IllegalStateException("a metrics binder's bug");
        }
      });
      m.watch(recording(heard));
      WorkerPoolQueue<String> q = m.createSimple("w", String.class, batch -> List.of());
      q.shutdown(); // threw the first watcher's exception, and the second never heard
      assertThat(heard).containsExactly("created w", "closed w");
      assertThat(m.queue("w")).isEmpty();
    }
  }

  @Test
  void aWatcherAddedWhileQueuesComeAndGoHearsOfEachOnceAndOfItsCloseOnlyAfter() throws Exception {
    // watchers added while another thread creates and closes queues: each queue is created
    // once per watcher (a watcher that heard it twice counted its metrics twice) and closed only
    // for a watcher that heard it created
    int queues = 60;
    List<java.util.Map<String, Integer>> seen = new CopyOnWriteArrayList<>();
    List<String> wrong = new CopyOnWriteArrayList<>();
    // a short claim wait: each queue's shutdown waits for its claim loop's current wait
    try (QueueManager m = QueueManager.builder().dataPath(data).claimWait(Duration.ofMillis(5))
        .build()) {
      Thread churn = new Thread(() -> {
        for (int i = 0; i < queues; i++) {
          QueueSettings s = QueueSettings.builder().type("channel").build();
          m.create(QueueSpec.simple("c" + i, String.class, batch -> List.of()).settings(s))
              .shutdown();
        }
      });
      churn.start();
      while (churn.isAlive()) {
        java.util.Map<String, Integer> counts = new java.util.concurrent.ConcurrentHashMap<>();
        seen.add(counts);
        m.watch(new QueueWatcher() {
          @Override
          public void created(WorkerPoolQueue<?> queue) {
            if (counts.merge(queue.name(), 1, Integer::sum) != 1) {
              wrong.add("created twice: " + queue.name());
            }
          }

          @Override
          public void closed(WorkerPoolQueue<?> queue) {
            if (counts.merge(queue.name(), 10, Integer::sum) != 11) {
              wrong.add("closed without one created: " + queue.name());
            }
          }
        });
      }
      churn.join();
    }
    assertThat(seen).as("watchers added while queues churned").isNotEmpty();
    assertThat(wrong).isEmpty();
  }

  @Test
  void aListenerAddedToARunningQueueHearsPushesAndHandlerCallsUntilRemoved() {
    List<PushResult> pushed = new CopyOnWriteArrayList<>();
    List<BatchEvent> batches = new CopyOnWriteArrayList<>();
    QueueListener<Object> listener = new QueueListener<>() {
      @Override
      public void onPushed(String queue, PushResult result) {
        pushed.add(result);
      }

      @Override
      public void onBatch(BatchEvent event) {
        batches.add(event);
      }
    };
    try (QueueManager m = manager()) {
      WorkerPoolQueue<String> q = m.createSimple("heard", String.class, batch -> List.of());
      q.pause();
      q.addListener(listener);
      q.push("a");
      assertThat(pushed).containsExactly(PushResult.ADDED);
      q.resume();
      assertThat(q.flush(WAIT)).isTrue();
      await().atMost(WAIT).until(() -> batches.size() == 1);
      BatchEvent b = batches.get(0);
      assertThat(b.queue()).isEqualTo("heard");
      assertThat(b.size()).isEqualTo(1);
      assertThat(b.waits()).hasSize(1).allSatisfy(w -> assertThat(w.isNegative()).isFalse());
      assertThat(b.waitNanos(0)).isEqualTo(b.waits().get(0).toNanos());
      // the listener hears no onHandled: the pool skips those events but still counts the item
      await().atMost(WAIT).pollDelay(Duration.ZERO).until(() -> q.stats().handled() == 1);
      assertThat(b.handlerTime().isNegative()).isFalse();

      assertThat(q.removeListener(listener)).isTrue();
      assertThat(q.removeListener(listener)).as("only once").isFalse();
      q.push("b");
      assertThat(q.flush(WAIT)).isTrue();
      assertThat(pushed).as("nothing heard after removal").hasSize(1);
      assertThat(batches).hasSize(1);
    }
  }
}
