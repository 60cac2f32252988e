package io.queuekit.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.queuekit.Codec;
import io.queuekit.ItemEvent;
import io.queuekit.JacksonCodec;
import io.queuekit.PermanentFailure;
import io.queuekit.QueueListener;
import io.queuekit.QueueSettings;
import io.queuekit.QueueSpec;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.Item;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Worker-pool tests of what handlers and items do wrong: refused nulls, a throwing handler, a
 * stack overflow, {@code PermanentFailure}, {@code MAX_DELIVERIES}, undecodable items, backoff on
 * the injected clock, {@code HANDLER_TIMEOUT}, listeners (also one that throws), and recovered
 * items handled alone. Run by {@link WorkerPoolConformanceTest}.
 */
public interface WorkerPoolFailureSuite extends WorkerPoolSuite {

  @EveryBackend
  @Test
  default void nullIsRefusedAtTheCallAndNothingIsStored() {
    Seen seen = new Seen();
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("nulls"),
        Integer.class, items -> {
          items.forEach(seen::add);
          return List.of();
        }).settings(settings(b -> b)));
    q.pause();
    assertThatThrownBy(() -> q.push(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining(q.name());
    assertThatThrownBy(() -> q.offer(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> q.pushDelayed(null, Duration.ofSeconds(1)))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> q.pushAll(java.util.Arrays.asList(1, null, 3), WAIT))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("item 1 of 3");
    assertThat(q.len()).as("nothing stored, not even the batch-mates of a null").isZero();
    q.resume();
    q.push(4);
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen.total()).isEqualTo(once());
    assertThat(q.stats().dead()).isZero();
  }

  @Test
  default void aThrowingHandlerLosesNothing() {
    Seen seen = new Seen();
    QueueSettings s = settings(b -> b.batchLength(5).maxWorkers(2).retryDelay(Duration.ZERO));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("throwing"),
        Integer.class, items -> {
          boolean firstTime = false;
          for (int i : items) {
            seen.add(i);
            firstTime |= seen.of(i) == 1;
          }
          if (firstTime) {
            throw new IllegalStateException("search backend down");
          }
          return List.of();
        }).settings(s));
    for (int i = 0; i < 30; i++) {
      q.push(i);
    }
    assertThat(q.flush(WAIT)).isTrue();
    for (int i = 0; i < 30; i++) {
      assertThat(seen.of(i)).as("item %d", i).isGreaterThanOrEqualTo(2);
    }
    assertThat(q.stats().handled()).isEqualTo(30);
  }

  @Test
  default void aHandlerStackOverflowLeavesNothingInFlight() {
    // A StackOverflowError is a VirtualMachineError: the worker may let it propagate, but its
    // batch must still be settled (as not handled), never left in flight.
    Seen seen = new Seen();
    QueueSettings s = settings(b -> b.batchLength(1).maxWorkers(1).retryDelay(Duration.ZERO));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("overflow"),
        Integer.class, items -> {
          int i = items.get(0);
          seen.add(i);
          if (i == 1 && seen.of(1) == 1) {
            throw new StackOverflowError("a handler recursing too deep");
          }
          return List.of();
        }).settings(s));
    q.push(1);
    q.push(2);
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen.of(1)).isEqualTo(2);
    assertThat(seen.of(2)).isEqualTo(1);
    assertThat(q.stats().unhandled()).isEqualTo(1);
    assertThat(q.stats().handled()).isEqualTo(2);
  }

  @Test
  default void permanentFailureReturnedOrThrownDeadLettersAtOnce() {
    Seen seen = new Seen();
    QueueSettings s = settings(b -> b.batchLength(1).maxWorkers(1).retryDelay(Duration.ZERO));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("permanent"),
        Integer.class, items -> {
          int i = items.get(0);
          seen.add(i);
          if (i == 3) {
            return List.of(new PermanentFailure(items.get(0), "three is malformed"));
          }
          if (i == 7) {
            throw new PermanentFailure(items.get(0), "seven is forbidden");
          }
          return List.of();
        }).settings(s));
    for (int i = 0; i < 10; i++) {
      q.push(i);
    }
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen.of(3)).isEqualTo(1);
    assertThat(seen.of(7)).isEqualTo(1);
    var dead = q.deadLetters(0, 10);
    assertThat(dead).hasSize(2);
    assertThat(dead).extracting(e -> e.item().orElseThrow()).containsExactlyInAnyOrder(3, 7);
    assertThat(dead).extracting(e -> e.reason())
        .containsExactlyInAnyOrder("three is malformed", "seven is forbidden");
    assertThat(q.stats().deadLettered()).isEqualTo(2);
    assertThat(q.stats().handled()).isEqualTo(8);
  }

  @Test
  default void aDeadLettersTextIsAPreviewOfItsFirst2000CharactersAndItIsFoundById() {
    QueueSettings s = settings(b -> b.batchLength(1).maxWorkers(1).retryDelay(Duration.ZERO));
    WorkerPoolQueue<String> q = manager().create(QueueSpec.simple(uniqueName("bigdead"),
        String.class, items -> {
          throw new PermanentFailure(items.get(0), "too big to handle");
        }).settings(s));
    String big = "é€字".repeat(3000); // 2- and 3-byte characters
    q.push(big);
    assertThat(q.flush(WAIT)).isTrue();
    var dead = q.deadLetters(0, 10);
    assertThat(dead).hasSize(1);
    // the stored bytes are JSON: a quote, then the characters
    assertThat(dead.get(0).json()).isEqualTo(("\"" + big).substring(0, 2000));
    assertThat(dead.get(0).item()).contains(big);
    long id = dead.get(0).id();
    assertThat(q.deadLetters(List.of(id + 1, id))).extracting(e -> e.id()).containsExactly(id);
    assertThat(q.deadLetters(List.of(id + 1))).isEmpty();
  }

  @Test
  default void maxDeliveriesBoundsWhatTheHandlerSees() {
    Seen seen = new Seen();
    QueueSettings s = settings(b -> b.batchLength(1).maxDeliveries(3).retryDelay(Duration.ZERO));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("maxdeliveries"),
        Integer.class, items -> {
          seen.add(items.get(0));
          return items;
        }).settings(s));
    q.push(42);
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen.of(42)).isEqualTo(3);
    var dead = q.deadLetters(0, 10);
    assertThat(dead).singleElement().satisfies(e -> {
      assertThat(e.item()).contains(42);
      assertThat(e.reason()).contains("MAX_DELIVERIES=3");
      assertThat(e.deliveryCount()).isEqualTo(2);
    });
  }

  @Test
  default void undecodableItemIsDeadLetteredWithTheDecodersMessage() {
    Codec<Integer> json = JacksonCodec.of(Integer.class);
    Codec<Integer> picky = new Codec<>() {
      @Override
      public byte[] encode(Integer item) {
        return json.encode(item);
      }

      @Override
      public Integer decode(byte[] bytes) throws Exception {
        if (new String(bytes, StandardCharsets.UTF_8).equals("13")) {
          throw new IllegalArgumentException("13 no longer decodes after the schema change");
        }
        return json.decode(bytes);
      }
    };
    Seen seen = new Seen();
    QueueSettings s = settings(b -> b.batchLength(4));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("undecodable"),
        Integer.class, items -> {
          items.forEach(seen::add);
          return List.of();
        }).codec(picky).settings(s));
    for (int i = 10; i < 16; i++) {
      q.push(i);
    }
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen.of(13)).isZero();
    assertThat(seen.total()).isEqualTo(5);
    assertThat(q.deadLetters(0, 10)).singleElement().satisfies(e -> {
      assertThat(e.json()).isEqualTo("13");
      assertThat(e.item()).isEmpty();
      assertThat(e.reason()).contains("13 no longer decodes after the schema change");
    });
  }

  @Test
  default void anItemDecodingToNullIsDeadLetteredAndSparesItsBatchMates() {
    // JSON "null" (another producer's payload; push(null) itself is refused) decodes to null,
    // which no handler batch (an immutable List) can hold: it must not fail its batch-mates.
    // A codec that writes -1 as "null" stands in for that producer.
    Seen seen = new Seen();
    QueueSettings s = settings(b -> b.batchLength(3).maxWorkers(1).retryDelay(Duration.ZERO));
    io.queuekit.Codec<Integer> json = io.queuekit.Codec.json(Integer.class);
    io.queuekit.Codec<Integer> nullForMinusOne = new io.queuekit.Codec<>() {
      @Override
      public byte[] encode(Integer item) {
        return item == -1 ? "null".getBytes(java.nio.charset.StandardCharsets.UTF_8) : json.encode(item);
      }

      @Override
      public Integer decode(byte[] bytes) throws Exception {
        return json.decode(bytes);
      }
    };
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("decodesnull"),
        Integer.class, items -> {
          items.forEach(seen::add);
          return List.of();
        }).codec(nullForMinusOne).settings(s));
    q.pause(); // one claim, one batch
    q.push(1);
    q.push(-1);
    q.push(2);
    q.resume();
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen.of(1)).isEqualTo(1);
    assertThat(seen.of(2)).isEqualTo(1);
    assertThat(q.deadLetters(0, 10)).singleElement().satisfies(e -> {
      assertThat(e.json()).isEqualTo("null");
      assertThat(e.reason()).contains("null");
    });
  }

  @Test
  default void backoffFollowsTheFormulaOnTheInjectedClock() {
    List<ItemEvent<Integer>> retries = new CopyOnWriteArrayList<>();
    Seen seen = new Seen();
    QueueSettings s = settings(b -> b.batchLength(1).retryDelay(Duration.ofSeconds(10))
        .retryDelayMax(Duration.ofSeconds(30)).maxDeliveries(5));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("backoff"),
        Integer.class, items -> {
          seen.add(items.get(0));
          return items;
        }).settings(s).listener(new QueueListener<Integer>() {
          @Override
          public void onRetry(ItemEvent<Integer> e) {
            retries.add(e);
          }
        }));
    q.push(1);
    // 10s, 20s, then capped at 30s: each × [0.8, 1.2], never above the cap.
    long[][] bounds = {{8, 12}, {16, 24}, {24, 30}, {24, 30}};
    for (int k = 0; k < bounds.length; k++) {
      int expected = k + 1;
      await().atMost(WAIT).until(() -> retries.size() == expected);
      ItemEvent<Integer> e = retries.get(k);
      assertThat(e.deliveryCount()).isEqualTo(k + 1);
      assertThat(e.delay()).isBetween(Duration.ofSeconds(bounds[k][0]), Duration.ofSeconds(bounds[k][1]));
      await().atMost(WAIT).until(() -> q.stats().delayed() == 1);
      assertThat(seen.of(1)).as("not redelivered before its due time").isEqualTo(k + 1);
      clock().advance(e.delay());
      await().atMost(WAIT).until(() -> seen.of(1) == expected + 1);
    }
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(q.deadLetters(0, 10)).hasSize(1);
  }

  @Test
  default void handlerTimeoutInterruptsAndReleasesTheBatch() throws InterruptedException {
    AtomicInteger calls = new AtomicInteger();
    CountDownLatch interrupted = new CountDownLatch(1);
    List<ItemEvent<Integer>> handled = new CopyOnWriteArrayList<>();
    List<ItemEvent<Integer>> retried = new CopyOnWriteArrayList<>();
    QueueSettings s = settings(b -> b.batchLength(1).retryDelay(Duration.ZERO)
        .handlerTimeout(Duration.ofMillis(200)));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("htimeout"),
        Integer.class, items -> {
          if (calls.incrementAndGet() == 1) {
            Stuck.untilInterrupted(interrupted);
          }
          return List.of();
        }).settings(s).listener(new QueueListener<Integer>() {
          @Override
          public void onHandled(ItemEvent<Integer> e) {
            handled.add(e);
          }

          @Override
          public void onRetry(ItemEvent<Integer> e) {
            retried.add(e);
          }
        }));
    q.push(9);
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(retried).as("the timeout's release is told like any other, with its item")
        .singleElement().satisfies(e -> assertThat(e.item()).contains(9));
    // the timeout releases the batch, then interrupts its runner: the redelivery may be handled
    // (and flush return) before the interrupted handler has run its catch block
    assertThat(interrupted.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(calls.get()).isEqualTo(2);
    assertThat(handled).singleElement().satisfies(e -> assertThat(e.deliveryCount()).isEqualTo(1));
  }

  @Test
  default void handlerTimeoutOnTheLastDeliveryDeadLettersAndTellsTheListener()
      throws InterruptedException {
    // MAX_DELIVERIES=1: the timeout's release is the item's last, so it is a dead letter, and the
    // listener hears of it as of any other (issue 10: it once did not).
    CountDownLatch interrupted = new CountDownLatch(1);
    List<ItemEvent<Integer>> dead = new CopyOnWriteArrayList<>();
    QueueSettings s = settings(b -> b.batchLength(1).maxDeliveries(1)
        .handlerTimeout(Duration.ofMillis(100)));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("htdead"),
        Integer.class, items -> {
          Stuck.untilInterrupted(interrupted); // until HANDLER_TIMEOUT interrupts it
          return List.of();
        }).settings(s).listener(new QueueListener<Integer>() {
          @Override
          public void onDeadLettered(ItemEvent<Integer> e) {
            dead.add(e);
          }
        }));
    q.push(5);
    assertThat(q.flush(WAIT)).isTrue();
    // the listener is told after the store took the dead letter, which flush may see first
    await().atMost(WAIT).pollDelay(Duration.ZERO).until(() -> !dead.isEmpty());
    assertThat(dead).singleElement().satisfies(e -> {
      assertThat(e.item()).contains(5);
      assertThat(e.cause()).contains(io.queuekit.DeadLetterCause.MAX_DELIVERIES);
      assertThat(e.reason()).contains("MAX_DELIVERIES=1").contains("HANDLER_TIMEOUT");
    });
    assertThat(q.deadLetters(0, 10)).singleElement().satisfies(e -> {
      assertThat(e.item()).contains(5);
      assertThat(e.reason()).contains("HANDLER_TIMEOUT");
    });
    assertThat(interrupted.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(q.stats().handled()).isZero();
  }

  @Test
  default void handlerTimeoutNeverInterruptsTheWorkersNextBatch() throws Exception {
    // The HANDLER_TIMEOUT task settles a batch and then interrupts its runner. If the handler
    // returns while the task is settling, the worker moves on: the interrupt must not hit the next
    // handler the worker runs. Here the task is held in its onRetry listener until that next
    // handler has started.
    CountDownLatch timeoutFired = new CountDownLatch(1);
    CountDownLatch secondStarted = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean firstCall = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicBoolean secondInterrupted = new java.util.concurrent.atomic.AtomicBoolean();
    AtomicInteger retries = new AtomicInteger();
    QueueSettings s = settings(b -> b.batchLength(1).maxWorkers(1).retryDelay(Duration.ZERO)
        .handlerTimeout(Duration.ofMillis(500)));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("htleak"),
        Integer.class, items -> {
          int i = items.get(0);
          if (i == 1 && firstCall.getAndSet(false)) {
            // outlives HANDLER_TIMEOUT, then returns normally while the timeout task settles
            timeoutFired.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
          } else if (i == 2) {
            secondStarted.countDown();
            try {
              proceed.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              secondInterrupted.set(true);
            }
          }
          return List.of();
        }).settings(s).listener(new QueueListener<Integer>() {
          @Override
          public void onRetry(ItemEvent<Integer> e) {
            if (retries.incrementAndGet() == 1) { // item 1's timeout (the task's events carry no item)
              timeoutFired.countDown();
              try {
                secondStarted.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
              } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
              }
            }
          }
        }));
    q.push(1);
    q.push(2);
    assertThat(secondStarted.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    scheduler().submit(() -> { }).get(); // the single scheduler thread has finished the timeout task
    proceed.countDown();
    assertThat(q.flush(WAIT)).isTrue();
    if (retries.get() == 1) { // a second timeout (item 2's own) would be a fair interrupt
      assertThat(secondInterrupted).as("item 2's handler was interrupted by item 1's timeout").isFalse();
    }
  }

  @Test
  default void listenersSeeEveryEvent() {
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    QueueSettings s = settings(b -> b.batchLength(1).maxWorkers(1).retryDelay(Duration.ZERO)
        .maxDeliveries(2));
    AtomicInteger calls = new AtomicInteger();
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("listeners"),
        Integer.class, items -> {
          calls.incrementAndGet();
          int i = items.get(0);
          return i == 1 ? List.of() : items;
        }).settings(s).listener(new QueueListener<Integer>() {
          @Override
          public void onHandled(ItemEvent<Integer> e) {
            events.add("handled " + e.item().orElseThrow());
          }

          @Override
          public void onRetry(ItemEvent<Integer> e) {
            events.add("retry " + e.item().orElseThrow() + " #" + e.deliveryCount());
          }

          @Override
          public void onDeadLettered(ItemEvent<Integer> e) {
            events.add("dead " + e.item().orElseThrow());
          }
        }));
    q.push(1);
    q.push(2);
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(events).containsExactlyInAnyOrder("handled 1", "retry 2 #1", "dead 2");
    assertThat(events.indexOf("retry 2 #1")).isLessThan(events.indexOf("dead 2"));
  }

  @Test
  default void aListenerThrowingAnErrorStrandsNothing() {
    // An Error (here an AssertionError, as a listener's own check would throw) from onRetry must
    // not stop the settlement of the rest of the batch.
    AtomicInteger retryCalls = new AtomicInteger();
    Seen seen = new Seen();
    QueueSettings s = settings(b -> b.batchLength(2).maxWorkers(1).retryDelay(Duration.ZERO));
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(uniqueName("listenererror"),
        Integer.class, items -> {
          List<Integer> unhandled = new ArrayList<>();
          for (int i : items) {
            seen.add(i);
            if (seen.of(i) == 1) {
              unhandled.add(i);
            }
          }
          return unhandled;
        }).settings(s).listener(new QueueListener<Integer>() {
          @Override
          public void onRetry(ItemEvent<Integer> e) {
            if (retryCalls.incrementAndGet() == 1) {
              throw new AssertionError("a listener bug");
            }
          }
        }));
    q.pause(); // both items in one claim, so in one batch
    q.push(1);
    q.push(2);
    q.resume();
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(seen.of(1)).isEqualTo(2);
    assertThat(seen.of(2)).isEqualTo(2);
    assertThat(q.stats().handled()).isEqualTo(2);
  }

  @Test
  default void recoveredItemsAreHandledAloneOneAtATime() throws Exception {
    assumeTrue(testBackend().capabilities().persistent(), "needs a persistent backend");
    String name = uniqueName("recovered");
    QueueSettings s = settings(b -> b.batchLength(5).maxWorkers(3));
    BaseQueue base = openBase(name, s, false);
    for (int i = 0; i < 5; i++) {
      base.push(Item.of(Integer.toString(i).getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));
    }
    assertThat(base.claim(3, Duration.ofSeconds(5))).hasSize(3);
    testBackend().kill(base);

    List<List<Integer>> batches = new CopyOnWriteArrayList<>();
    AtomicInteger concurrentRecovered = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    List<ItemEvent<Integer>> recovered = new CopyOnWriteArrayList<>();
    WorkerPoolQueue<Integer> q = manager().create(QueueSpec.simple(name, Integer.class, items -> {
      boolean isRecovered = items.get(0) < 3;
      if (isRecovered) {
        most.accumulateAndGet(concurrentRecovered.incrementAndGet(), Math::max);
      }
      try {
        batches.add(List.copyOf(items));
      } finally {
        if (isRecovered) {
          concurrentRecovered.decrementAndGet();
        }
      }
      return List.of();
    }).settings(s).listener(new QueueListener<Integer>() {
      @Override
      public void onRecovered(ItemEvent<Integer> e) {
        recovered.add(e);
      }
    }));
    assertThat(q.flush(WAIT)).isTrue();
    assertThat(batches.stream().flatMap(List::stream)).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
    assertThat(batches.stream().filter(b -> b.stream().anyMatch(i -> i < 3)))
        .allSatisfy(b -> assertThat(b).hasSize(1));
    assertThat(most.get()).isEqualTo(1);
    assertThat(recovered).hasSize(3).allSatisfy(e -> assertThat(e.recoveryCount()).isEqualTo(1));
    assertThat(recovered).as("each event carries its decoded item")
        .extracting(e -> e.item().orElse(null)).containsExactlyInAnyOrder(0, 1, 2);
  }
}
