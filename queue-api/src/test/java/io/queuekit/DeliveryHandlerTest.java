package io.queuekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuekit.spi.Item;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link DeliveryHandler} form over the in-process {@link FakeBaseQueue}: what each element
 * carries across retries and recoveries, and how a delivery handler's return is matched.
 */
class DeliveryHandlerTest {
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

  private DefaultWorkerPoolQueue<String> queue(FakeBaseQueue base, DeliveryHandler<String> h) {
    QueueSettings s = QueueSettings.builder().type("channel").batchDebounce(Duration.ofMillis(20))
        .retryDelay(Duration.ZERO).shutdownTimeout(Duration.ofSeconds(5)).build();
    DefaultWorkerPoolQueue<String> q = new DefaultWorkerPoolQueue<>(
        QueueSpec.simpleDelivered(base.name(), String.class, h), s, base, Clock.systemUTC(),
        scheduler, Duration.ofMillis(100), new RecoveredLane(), () -> { });
    queues.add(q);
    q.start();
    return q;
  }

  private static Item json(String s) {
    return Item.of(("\"" + s + "\"").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theDeliveryCountGrowsAcrossRetriesAndEveryDeliveryHasItsOwnId() {
    List<Delivered<String>> seen = new CopyOnWriteArrayList<>();
    DefaultWorkerPoolQueue<String> q = queue(new FakeBaseQueue("retries"), batch -> {
      seen.addAll(batch);
      // not handled on the first two deliveries, handled on the third
      return batch.get(0).deliveryCount() < 2 ? batch : List.of();
    });
    q.push("a");
    await().atMost(WAIT).until(() -> q.stats().handled() == 1);
    assertThat(seen).extracting(Delivered::item).containsExactly("a", "a", "a");
    assertThat(seen).extracting(Delivered::deliveryCount).containsExactly(0, 1, 2);
    assertThat(seen).extracting(Delivered::recoveryCount).containsOnly(0);
    assertThat(seen).extracting(Delivered::deliveryId).doesNotHaveDuplicates()
        .doesNotContain(0L);
    assertThat(q.stats().unhandled()).isEqualTo(2);
  }

  @Test
  void anItemRecoveredAfterACrashCarriesItsRecoveryCount() {
    FakeBaseQueue base = new FakeBaseQueue("recovered");
    base.pushRecovered("\"r\"", 2); // as a persistent store hands it out after two crashes
    List<Delivered<String>> seen = new CopyOnWriteArrayList<>();
    DefaultWorkerPoolQueue<String> q = queue(base, batch -> {
      seen.addAll(batch);
      return List.of();
    });
    await().atMost(WAIT).until(() -> q.stats().handled() == 1);
    assertThat(seen).singleElement().satisfies(d -> {
      assertThat(d.item()).isEqualTo("r");
      assertThat(d.recoveryCount()).isEqualTo(2);
      assertThat(d.deliveryCount()).isZero();
    });
  }

  @Test
  void aReturnedElementItsBareItemOrAPermanentFailureNamingEitherIsMatched() throws Exception {
    FakeBaseQueue base = new FakeBaseQueue("matching");
    for (String s : List.of("a", "b", "c", "d", "e")) {
      base.push(json(s), Duration.ZERO, WAIT); // all waiting before the first claim: one batch
    }
    List<List<Delivered<String>>> batches = new CopyOnWriteArrayList<>();
    DefaultWorkerPoolQueue<String> q = queue(base, batch -> {
      batches.add(batch);
      if (batches.size() > 1) {
        return List.of();
      }
      assertThat(batch).extracting(Delivered::item).containsExactly("a", "b", "c", "d", "e");
      return List.of(batch.get(0), // the element: retried
          "b", // its item: retried too
          new PermanentFailure(batch.get(2), "bad c"), // dead-lettered
          new PermanentFailure("d", "bad d")); // named by its item: dead-lettered
      // e: handled
    });
    await().atMost(WAIT).until(() -> q.stats().handled() == 3);
    assertThat(batches).hasSize(2);
    assertThat(batches.get(1)).extracting(Delivered::item).containsExactly("a", "b");
    assertThat(batches.get(1)).extracting(Delivered::deliveryCount).containsOnly(1);
    QueueStats s = q.stats();
    assertThat(s.deadLettered()).isEqualTo(2);
    assertThat(s.unhandled()).isEqualTo(2);
  }

  @Test
  void aSpecWithoutADeliveryHandlerIsRefusedNamingTheQueue() {
    assertThatThrownBy(() -> QueueSpec.uniqueDelivered("nohandler", String.class, null))
        .isInstanceOf(QueueConfigException.class).hasMessageContaining("\"nohandler\" has no handler");
    assertThat(QueueSpec.simpleDelivered("x", String.class, b -> List.of()).handler()).isEmpty();
    assertThat(QueueSpec.simple("x", String.class, b -> List.of()).deliveryHandler()).isEmpty();
  }
}
