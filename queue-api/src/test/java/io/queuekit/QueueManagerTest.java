package io.queuekit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
