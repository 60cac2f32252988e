package io.queuekit.conformance;

import static io.queuekit.conformance.QueueItems.item;
import static io.queuekit.conformance.QueueItems.text;
import static io.queuekit.conformance.QueueItems.texts;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.queuekit.ItemTooLargeException;
import io.queuekit.PushResult;
import io.queuekit.QueueFullException;
import io.queuekit.QueueInterruptedException;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Base-queue tests of what goes in: Gitea's {@code testQueueBasic} steps, push, pushAll, offer,
 * {@code LENGTH} and {@code MAX_ITEM_SIZE}, producers blocked for room and what wakes them,
 * racing producers and consumers, and interruption. Run by {@link BaseQueueConformanceTest}.
 */
public interface BaseQueueAdmissionSuite extends BaseQueueSuite {

  // ---- Gitea's testQueueBasic --------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void giteaBasicSteps(Flavour flavour) {
    BaseQueue q = open(flavour);

    q.removeAll();
    assertThat(q.len()).isZero();

    assertThat(q.push(item("foo"), SHORT)).isEqualTo(PushResult.ADDED);
    assertThat(q.len()).isEqualTo(1);

    PushResult again = q.push(item("foo"), SHORT);
    if (flavour.unique()) {
      assertThat(again).isEqualTo(PushResult.DUPLICATE);
      assertThat(q.len()).isEqualTo(1);
      assertThat(q.has("foo".getBytes(UTF_8))).isTrue();
    } else {
      assertThat(again).isEqualTo(PushResult.ADDED);
      assertThat(q.len()).isEqualTo(2);
      assertThat(q.has("foo".getBytes(UTF_8))).isFalse();
    }

    assertThat(q.push(item("bar"), SHORT)).isEqualTo(PushResult.ADDED);
    List<String> claimed = new ArrayList<>();
    for (int i = 0; i < (flavour.unique() ? 2 : 3); i++) {
      claimed.addAll(texts(claim(q, 1, SHORT)));
    }
    assertThat(claimed).isEqualTo(flavour.unique()
        ? List.of("foo", "bar") : List.of("foo", "foo", "bar"));

    assertThat(claim(q, 1, Duration.ofMillis(10))).isEmpty();

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> q.claim(1, SHORT)).isInstanceOf(QueueInterruptedException.class);
      assertThat(Thread.currentThread().isInterrupted()).as("interrupt flag restored").isTrue();
    } finally {
      Thread.interrupted();
    }

    for (int i = 0; i < LENGTH; i++) {
      assertThat(q.push(item("item-" + i), SHORT)).isEqualTo(PushResult.ADDED);
    }
    QueueFullException full = catchThrowableOfType(QueueFullException.class,
        () -> q.push(item("item-" + LENGTH), Duration.ofMillis(10)));
    assertThat(full).isNotNull();
    assertThat(full.queue()).isEqualTo(q.name());
    assertThat(full.length()).isEqualTo(LENGTH);
    assertThat(full.getMessage()).contains(q.name());
    assertThat(full.results()).isEmpty();

    assertThat(q.len()).isEqualTo(LENGTH);
    assertThat(q.removeAll()).isEqualTo(LENGTH);
    assertThat(q.len()).isZero();
  }

  // ---- interruption ------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void claimWithInterruptFlagSetThrowsAndClaimsNothing(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a");

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> q.claim(1, SHORT)).isInstanceOf(QueueInterruptedException.class);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }

    assertThat(q.stats().inFlight()).isZero();
    List<Delivery> got = claimN(q, 1);
    assertThat(texts(got)).containsExactly("a");
    assertThat(got.get(0).deliveryCount()).isZero();
  }

  @EveryBackend
  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void claimInterruptedWhileWaitingThrowsWithFlagRestored(Flavour flavour) throws Exception {
    BaseQueue q = open(flavour);
    Background<Boolean> claimer = background("claimer", () -> {
      try {
        claim(q, 1, LONG);
        return false;
      } catch (QueueInterruptedException e) {
        return Thread.currentThread().isInterrupted();
      }
    }).awaitBlocked();

    claimer.interrupt();

    assertThat(claimer.awaitResult()).as("threw with the interrupt flag restored").isTrue();
    if (fixture().backend().capabilities().stores()) {
      pushAll(q, "a");
      assertThat(texts(claimN(q, 1))).containsExactly("a");
    }
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void pushInterruptedWhileWaitingForRoomThrowsAndStoresNothing(Flavour flavour) throws Exception {
    BaseQueue q = open(flavour);
    fill(q);
    Background<Boolean> producer = background("producer", () -> {
      try {
        q.push(item("late"), LONG);
        return false;
      } catch (QueueInterruptedException e) {
        return Thread.currentThread().isInterrupted();
      }
    }).awaitBlocked();

    producer.interrupt();

    assertThat(producer.awaitResult()).as("threw with the interrupt flag restored").isTrue();
    assertThat(q.len()).isEqualTo(LENGTH);
    assertThat(texts(claimAll(q))).doesNotContain("late");
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void pushWithInterruptFlagSetOnFullQueueThrowsAndStoresNothing(Flavour flavour) {
    BaseQueue q = open(flavour);
    fill(q);

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> q.push(item("late"), LONG))
          .isInstanceOf(QueueInterruptedException.class);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(q.len()).isEqualTo(LENGTH);
  }

  // ---- push, pushAll, offer, LENGTH, MAX_ITEM_SIZE -------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void offerReportsFullWithoutWaiting(Flavour flavour) {
    BaseQueue q = open(flavour);
    fill(q);

    assertThat(q.offer(item("late"))).isEqualTo(PushResult.FULL);
    assertThat(q.offer(item("item-0")))
        .isEqualTo(flavour.unique() ? PushResult.DUPLICATE : PushResult.FULL);
    assertThat(q.len()).isEqualTo(LENGTH);

    claim(q, 1, SHORT);
    assertThat(q.offer(item("late"))).isEqualTo(PushResult.ADDED);
    assertThat(q.len()).isEqualTo(LENGTH);
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void duplicatePushOnFullUniqueQueueReturnsAtOnce(Flavour flavour) {
    assumeTrue(flavour.unique());
    BaseQueue q = open(flavour);
    fill(q);

    // A LONG timeout: a duplicate must not wait for room.
    assertThat(q.push(item("item-3"), LONG)).isEqualTo(PushResult.DUPLICATE);
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void pushAllAdmitsWhatFitsBeforeTheTimeout(Flavour flavour) {
    BaseQueue q = open(flavour);
    for (int i = 0; i < LENGTH - 2; i++) {
      pushAll(q, "old-" + i);
    }

    QueueFullException full = catchThrowableOfType(QueueFullException.class,
        () -> q.pushAll(List.of(item("n0"), item("n1"), item("n2"), item("n3")), SHORT));

    assertThat(full).isNotNull();
    assertThat(full.queue()).isEqualTo(q.name());
    assertThat(full.results()).containsExactly(PushResult.ADDED, PushResult.ADDED);
    assertThat(q.len()).isEqualTo(LENGTH);
    List<String> claimed = texts(claimAll(q));
    assertThat(claimed).endsWith("n0", "n1").doesNotContain("n2", "n3");
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void pushAllRefusesATooLargeItemNamingItsIndexAndStoresNothing(Flavour flavour) {
    BaseQueue q = open(flavour.unique(), s -> s.maxItemSize(8));

    ItemTooLargeException tooLarge = catchThrowableOfType(ItemTooLargeException.class,
        () -> q.pushAll(List.of(item("ok"), item("much too large"), item("ok2")), SHORT));

    assertThat(tooLarge).isNotNull();
    assertThat(tooLarge.getMessage()).contains("index 1").contains(q.name());
    assertThat(tooLarge.size()).isEqualTo("much too large".length());
    assertThat(tooLarge.limit()).isEqualTo(8);
    assertThat(q.len()).isZero();
    assertThat(q.has("ok".getBytes(UTF_8))).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void pushAllWithTwoCopiesOfOneItem(Flavour flavour) {
    BaseQueue q = open(flavour);

    List<PushResult> results = q.pushAll(List.of(item("a"), item("b"), item("a")), SHORT);

    if (flavour.unique()) {
      assertThat(results).containsExactly(PushResult.ADDED, PushResult.ADDED, PushResult.DUPLICATE);
      assertThat(texts(claimAll(q))).containsExactly("a", "b");
    } else {
      assertThat(results).containsExactly(PushResult.ADDED, PushResult.ADDED, PushResult.ADDED);
      assertThat(texts(claimAll(q))).containsExactly("a", "b", "a");
    }
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void tooLargeItemIsRefusedNamingSizeAndLimit(Flavour flavour) {
    BaseQueue q = open(flavour.unique(), s -> s.maxItemSize(8));

    assertThat(q.push(item("12345678"), SHORT)).isEqualTo(PushResult.ADDED);
    ItemTooLargeException push = catchThrowableOfType(ItemTooLargeException.class,
        () -> q.push(item("123456789"), SHORT));
    ItemTooLargeException offer = catchThrowableOfType(ItemTooLargeException.class,
        () -> q.offer(item("123456789")));

    for (ItemTooLargeException e : List.of(push, offer)) {
      assertThat(e).isNotNull();
      assertThat(e.size()).isEqualTo(9);
      assertThat(e.limit()).isEqualTo(8);
      assertThat(e.getMessage()).contains("9").contains("8").contains(q.name());
    }
    assertThat(q.len()).isEqualTo(1);
    assertThat(q.has("123456789".getBytes(UTF_8))).isFalse();
  }

  @Test
  default void sixteenThreadsPushingOneItemToAUniqueQueueAddItOnce() throws Exception {
    BaseQueue q = open(Flavour.UNIQUE);
    CountDownLatch start = new CountDownLatch(1);
    List<Background<PushResult>> producers = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      producers.add(background("producer-" + i, () -> {
        start.await();
        return q.push(item("same"), LONG);
      }));
    }

    start.countDown();

    List<PushResult> results = new ArrayList<>();
    for (Background<PushResult> p : producers) {
      results.add(p.awaitResult());
    }
    assertThat(results).filteredOn(r -> r == PushResult.ADDED).hasSize(1);
    assertThat(results).filteredOn(r -> r == PushResult.DUPLICATE).hasSize(15);
    assertThat(q.len()).isEqualTo(1);
    assertThat(q.has("same".getBytes(UTF_8))).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void racingProducersNeverExceedLength(Flavour flavour) throws Exception {
    BaseQueue q = open(flavour);
    int producers = 8;
    int pushes = 2 * LENGTH;
    CountDownLatch start = new CountDownLatch(1);
    List<Background<List<PushResult>>> running = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int first = p;
      running.add(background("producer-" + p, () -> {
        start.await();
        List<PushResult> mine = new ArrayList<>();
        for (int i = first; i < pushes; i += producers) {
          try {
            mine.add(q.push(item("item-" + i), SHORT));
          } catch (QueueFullException e) {
            mine.add(PushResult.FULL);
          }
        }
        return mine;
      }));
    }

    start.countDown();

    List<PushResult> results = new ArrayList<>();
    for (Background<List<PushResult>> p : running) {
      results.addAll(p.awaitResult());
    }
    assertThat(results).hasSize(pushes);
    assertThat(results).filteredOn(r -> r == PushResult.ADDED).hasSize(LENGTH);
    assertThat(results).filteredOn(r -> r == PushResult.FULL).hasSize(pushes - LENGTH);
    assertThat(q.len()).isEqualTo(LENGTH);
    assertThat(new HashSet<>(texts(claimAll(q)))).hasSize(LENGTH);
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void racingProducersAndConsumersLoseNothingAndAckEachItemOnce(Flavour flavour)
      throws Exception {
    BaseQueue q = open(flavour);
    int producers = 4;
    int perProducer = 100;
    int total = producers * perProducer;
    Map<String, Integer> acked = new ConcurrentHashMap<>();
    AtomicInteger done = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Background<Integer>> running = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int id = p;
      running.add(background("producer-" + p, () -> {
        start.await();
        for (int i = 0; i < perProducer; i++) {
          // LENGTH is small, so producers keep waiting for room the consumers free.
          assertThat(q.push(item("p" + id + "-" + i), LONG)).isEqualTo(PushResult.ADDED);
        }
        return perProducer;
      }));
    }
    for (int c = 0; c < 3; c++) {
      running.add(background("consumer-" + c, () -> {
        start.await();
        while (done.get() < total) {
          for (Delivery d : claim(q, 5, SHORT)) {
            if (d.deliveryCount() == 0) {
              // Every item fails once, so releases race with pushes for the tail.
              assertThat(q.release(d, Duration.ZERO)).isEqualTo(Outcome.DONE);
            } else {
              assertThat(q.ack(List.of(d))).containsExactly(Outcome.DONE);
              acked.merge(text(d.payload()), 1, Integer::sum);
              done.incrementAndGet();
            }
          }
        }
        return 0;
      }));
    }

    start.countDown();

    for (Background<Integer> b : running) {
      b.awaitResult();
    }
    assertThat(acked).hasSize(total);
    assertThat(acked.values()).containsOnly(1);
    assertThat(q.len()).isZero();
    assertThat(q.stats().inFlight()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void blockedProducerIsWokenByAClaim(Flavour flavour) throws Exception {
    BaseQueue q = open(flavour);
    fill(q);
    Background<PushResult> producer =
        background("producer", () -> q.push(item("late"), LONG)).awaitBlocked();

    assertThat(texts(claimN(q, 1))).containsExactly("item-0");

    assertThat(producer.awaitResult()).isEqualTo(PushResult.ADDED);
    assertThat(q.len()).isEqualTo(LENGTH);
    assertThat(texts(claimAll(q))).last().isEqualTo("late");
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void blockedProducersAreWokenByRemoveAll(Flavour flavour) throws Exception {
    BaseQueue q = open(flavour);
    fill(q);
    Background<PushResult> one =
        background("producer-1", () -> q.push(item("late-1"), LONG)).awaitBlocked();
    Background<PushResult> two =
        background("producer-2", () -> q.push(item("late-2"), LONG)).awaitBlocked();

    assertThat(q.removeAll()).isEqualTo(LENGTH);

    assertThat(one.awaitResult()).isEqualTo(PushResult.ADDED);
    assertThat(two.awaitResult()).isEqualTo(PushResult.ADDED);
    assertThat(q.len()).isEqualTo(2);
    assertThat(texts(claimAll(q))).containsExactlyInAnyOrder("late-1", "late-2");
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void blockedProducerIsAdmittedAfterAConsumerClaimsAndAcks(Flavour flavour) throws Exception {
    BaseQueue q = open(flavour);
    fill(q);
    Background<PushResult> producer =
        background("producer", () -> q.push(item("late"), LONG)).awaitBlocked();

    // A consumer's whole cycle: claim frees the room (in flight is not waiting), ack settles.
    List<Delivery> got = claimN(q, 1);
    assertThat(q.ack(got)).containsExactly(Outcome.DONE);

    assertThat(producer.awaitResult()).isEqualTo(PushResult.ADDED);
    assertThat(q.len()).isEqualTo(LENGTH);
    assertThat(q.stats().inFlight()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  default void releaseUnclaimAndReplayAreAdmittedBeyondLength(Flavour flavour) {
    BaseQueue q = open(flavour);
    fill(q);
    List<Delivery> got = claimN(q, 4);
    for (int i = 0; i < 4; i++) {
      pushAll(q, "more-" + i);
    }
    assertThat(q.len()).isEqualTo(LENGTH);

    assertThat(q.release(got.get(0), Duration.ZERO)).isEqualTo(Outcome.DONE);
    assertThat(q.release(got.get(1), Duration.ofSeconds(1))).isEqualTo(Outcome.DONE);
    assertThat(q.unclaim(List.of(got.get(2)))).containsExactly(Outcome.DONE);
    assertThat(q.deadLetter(got.get(3), "test")).isEqualTo(Outcome.DONE);
    assertThat(q.replayAllDead()).isEqualTo(1);

    assertThat(q.len()).isEqualTo(LENGTH + 4);
    assertThat(q.offer(item("late"))).isEqualTo(PushResult.FULL);
    clock().advance(Duration.ofSeconds(1));
    assertThat(claimAll(q)).hasSize(LENGTH + 4);
  }
}
