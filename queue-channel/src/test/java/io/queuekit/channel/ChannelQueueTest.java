package io.queuekit.channel;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuekit.PushResult;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueSettings;
import io.queuekit.conformance.CapturedErr;
import io.queuekit.conformance.MutableClock;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueues;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the conformance suite cannot see from outside: the factory's registration, the WARN line of
 * a dropped dead letter, and the leader hand-off among claimers waiting for delayed items.
 */
class ChannelQueueTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir Path dataPath;
  private final MutableClock clock = MutableClock.atEpoch2026();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private BaseQueue queue;

  @AfterEach
  void close() {
    if (queue != null) {
      queue.close();
    }
    scheduler.shutdownNow();
  }

  private BaseQueue open(String name, boolean unique, QueueSettings.Builder settings) {
    queue = BaseQueues.load().create("channel", new BaseQueueConfig(name,
        settings.type("channel").build(), unique, clock, scheduler, dataPath));
    return queue;
  }

  private static Item item(String text) {
    return Item.of(text.getBytes(UTF_8));
  }

  /** Starts a claim on a thread of its own and returns once that thread waits in the queue. */
  private static CompletableFuture<List<Delivery>> claimInThread(BaseQueue q, Duration wait) {
    CompletableFuture<List<Delivery>> result = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        result.complete(q.claim(1, wait));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    }, "claimer");
    t.setDaemon(true);
    t.start();
    await().atMost(PATIENCE).until(() -> t.getState() == Thread.State.TIMED_WAITING);
    assertThat(result).isNotDone();
    return result;
  }

  @Test
  void factoryIsFoundByServiceLoaderUnderChannelOnly() {
    BaseQueues queues = BaseQueues.load();

    assertThat(queues.types()).contains("channel");
    assertThat(queues.factory("channel", "q")).isInstanceOf(ChannelQueueFactory.class);
    BaseQueueConfig config = new BaseQueueConfig("q", QueueSettings.defaults(), false, clock,
        scheduler, dataPath);
    assertThatThrownBy(() -> new ChannelQueueFactory().create("redis", config))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("TYPE=redis")
        .hasMessageContaining("\"q\"");
  }

  @Test
  void eachQueueIsItsOwnStoreEvenUnderOneName() {
    BaseQueue first = open("shared", true, QueueSettings.builder());
    BaseQueue second = BaseQueues.load().create("channel", new BaseQueueConfig("shared",
        QueueSettings.builder().type("channel").build(), true, clock, scheduler, dataPath));
    try {
      assertThat(first.push(item("a"), Duration.ZERO)).isEqualTo(PushResult.ADDED);

      assertThat(second.len()).isZero();
      assertThat(second.push(item("a"), Duration.ZERO)).isEqualTo(PushResult.ADDED);
    } finally {
      second.close();
    }
  }

  @Test
  void droppedDeadLetterIsLoggedWithQueueReasonAndFirst200Bytes() {
    BaseQueue q = open("dropping", false, QueueSettings.builder().deadLetterLength(1));
    String payload = "A".repeat(200) + "B".repeat(100);
    assertThat(q.push(item(payload), Duration.ZERO)).isEqualTo(PushResult.ADDED);
    assertThat(q.push(item("second"), Duration.ZERO)).isEqualTo(PushResult.ADDED);
    List<Delivery> got = q.claim(2, Duration.ZERO);
    // a handler's message with a line break must not split the log line or forge another
    assertThat(q.deadLetter(got.get(0), "poison pill\nWARN forged")).isEqualTo(Outcome.DONE);

    String log = CapturedErr.during(
        () -> assertThat(q.deadLetter(got.get(1), "second reason")).isEqualTo(Outcome.DONE));
    assertThat(log).contains("WARN").contains("\"dropping\"").contains("poison pill\\nWARN forged")
        .contains("A".repeat(200)).doesNotContain("B");
    assertThat(log.lines()).as("one line, the forged WARN escaped in it").hasSize(1);
    assertThat(q.stats().deadDropped()).isEqualTo(1);
    assertThat(q.listDead(0, 10)).extracting(d -> d.reason()).containsExactly("second reason");
  }

  /** What a close discards is said, with the counts: an in-memory queue keeps nothing. */
  @Test
  void closingWithItemsLeftWarnsWhatItDiscards() {
    BaseQueue q = open("discarding", false, QueueSettings.builder().deadLetterLength(5));
    for (String s : List.of("a", "b", "c", "d")) {
      assertThat(q.push(item(s), Duration.ZERO)).isEqualTo(PushResult.ADDED);
    }
    List<Delivery> got = q.claim(2, Duration.ZERO);
    assertThat(q.deadLetter(got.get(0), "bad")).isEqualTo(Outcome.DONE);

    String log = CapturedErr.during(q::close);
    assertThat(log).contains("WARN").contains("queue \"discarding\": closing discards 2 waiting "
        + "item(s), 1 in flight and 1 dead letter(s)");
    BaseQueue empty = open("empty", false, QueueSettings.builder());
    assertThat(CapturedErr.during(empty::close)).as("nothing to discard, nothing said").isEmpty();
  }

  @Test
  void twoClaimersWaitingForDelayedItemsBothGetOneOnceDue() {
    BaseQueue q = open("leaders", false, QueueSettings.builder());
    assertThat(q.push(item("a"), Duration.ofSeconds(1), Duration.ZERO)).isEqualTo(PushResult.ADDED);
    assertThat(q.push(item("b"), Duration.ofSeconds(1), Duration.ZERO)).isEqualTo(PushResult.ADDED);
    CompletableFuture<List<Delivery>> one = claimInThread(q, Duration.ofMinutes(2));
    CompletableFuture<List<Delivery>> two = claimInThread(q, Duration.ofMinutes(2));

    clock.advance(Duration.ofSeconds(1));

    // The leader claims one item and hands its post on; the other claimer takes the second.
    await().atMost(PATIENCE).until(() -> one.isDone() && two.isDone());
    assertThat(List.of(one.join(), two.join())).allSatisfy(got -> assertThat(got).hasSize(1));
    assertThat(q.len()).isZero();
  }

  @Test
  void anEarlierDueTimeShortensTheWaitOfAClaimerAlreadyWaiting() {
    BaseQueue q = open("earlier", false, QueueSettings.builder());
    // Due in an hour of the test clock: the leader's bound would be an hour of real time.
    assertThat(q.push(item("late"), Duration.ofHours(1), Duration.ZERO))
        .isEqualTo(PushResult.ADDED);
    CompletableFuture<List<Delivery>> claimer = claimInThread(q, Duration.ofHours(2));

    assertThat(q.push(item("soon"), Duration.ofSeconds(1), Duration.ZERO))
        .isEqualTo(PushResult.ADDED);
    clock.advance(Duration.ofSeconds(1));

    await().atMost(PATIENCE).until(claimer::isDone);
    assertThat(claimer.join()).extracting(d -> new String(d.payload(), UTF_8))
        .containsExactly("soon");
  }

  @Test
  void delaysBeyondTheEndOfTimeAreStoredNotLost() {
    BaseQueue q = open("forever", true, QueueSettings.builder());
    Duration forever = Duration.ofSeconds(Long.MAX_VALUE);
    assertThat(q.push(item("a"), forever, Duration.ZERO)).isEqualTo(PushResult.ADDED);
    assertThat(q.push(item("b"), Duration.ZERO)).isEqualTo(PushResult.ADDED);
    Delivery b = q.claim(1, Duration.ZERO).get(0);

    assertThat(q.release(b, forever)).isEqualTo(Outcome.DONE);

    assertThat(q.len()).isEqualTo(2);
    assertThat(q.stats().delayed()).isEqualTo(2);
    assertThat(q.has("a".getBytes(UTF_8))).isTrue();
    assertThat(q.has("b".getBytes(UTF_8))).isTrue();
    assertThat(q.claim(1, Duration.ofMillis(10))).isEmpty();
  }

  @Test
  void simpleQueueNeverReportsHas() {
    BaseQueue q = open("simple", false, QueueSettings.builder());
    assertThat(q.push(item("a"), Duration.ZERO)).isEqualTo(PushResult.ADDED);

    assertThat(q.has("a".getBytes(UTF_8))).isFalse();
    assertThat(q.unique()).isFalse();
    assertThat(q.name()).isEqualTo("simple");
    assertThat(q.mode()).isEqualTo(BaseQueue.Mode.STORED);
  }
}
