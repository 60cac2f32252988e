package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.QueueConfigException;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.spi.Item;
import io.queuekit.spi.StoreNotFoundException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Opening only an existing queue on a real redis-server: never creates keys, takes the stored flavour. */
class RedisOpenExistingTest {
  @RegisterExtension static final RedisServerExtension redis = new RedisServerExtension();
  @RegisterExtension final Queues queues = Queues.on(redis);

  private static Item item(String s) {
    return Item.of(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void anAbsentQueueIsNotFoundAndNoKeyIsWritten() {
    String name = Queues.uniqueName("typo");
    assertThatThrownBy(() -> queues.openExisting(name, true))
        .isInstanceOf(StoreNotFoundException.class)
        .hasMessageContaining("queue \"" + name + "\"")
        .hasMessageContaining(Queues.key(name, "meta"))
        .hasMessageContaining("127.0.0.1");
    assertThat(queues.admin().strings("KEYS", "*" + name + "*")).isEmpty();
    // a service still creates it as the flavour it wants
    assertThat(queues.open(name, false).unique()).isFalse();
  }

  @Test
  void anExistingQueueOpensAsTheFlavourItWasCreatedWith() {
    String name = Queues.uniqueName("indexer");
    RedisQueue service = queues.open(name, true);
    service.push(item("a"), Duration.ofSeconds(5));
    service.close();
    RedisQueue looked = queues.openExisting(name, false);
    assertThat(looked.unique()).isTrue();
    assertThat(looked.len()).isEqualTo(1);
    assertThat(looked.has("a".getBytes(StandardCharsets.UTF_8))).isTrue();
    looked.close();
    assertThat(queues.admin().call("HGET", Queues.key(name, "meta"), "flavour").toString())
        .isEqualTo("unique");
  }

  /**
   * A FLUSHALL under a running service: its steps make the queue's keys again, but only an open
   * recorded the layout version and flavour, so a tool found no queue. Its consumer registers
   * again (its registration was flushed too: fenced) and records them where missing.
   */
  @Test
  void aServiceWhoseKeysWereFlushedRecordsItsQueueAgainWhenItsConsumerRegisters() {
    String name = Queues.uniqueName("flushed");
    RedisQueue service = queues.open(name, true);
    service.push(item("a"), Duration.ofSeconds(5));
    assertThat(service.claim(1, Duration.ofSeconds(5))).hasSize(1);
    // as FLUSHALL would, for this queue's keys alone (the server is shared by this class's tests)
    for (String k : queues.admin().strings("KEYS", "{" + name + "_queue}*")) {
      queues.admin().call("DEL", k);
    }
    service.push(item("b"), Duration.ofSeconds(5));
    assertThatThrownBy(() -> queues.openExisting(name, false))
        .isInstanceOf(StoreNotFoundException.class);
    // the claim finds its consumer gone, registers again, and takes b
    assertThat(service.claim(1, Duration.ofSeconds(5))).hasSize(1);
    RedisQueue looked = queues.openExisting(name, false);
    assertThat(looked.unique()).isTrue();
    assertThat(queues.admin().call("HGET", Queues.key(name, "meta"), "version").toString())
        .isEqualTo(Integer.toString(RedisLayout.LAYOUT_VERSION));
  }

  @Test
  void aQueueWhoseFlavourIsNotRecordedIsRefusedAndLeftAlone() {
    String name = Queues.uniqueName("old");
    queues.open(name, false).close();
    queues.admin().call("HDEL", Queues.key(name, "meta"), "flavour");
    assertThatThrownBy(() -> queues.openExisting(name, true))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("records no flavour");
    assertThat(queues.admin().call("HEXISTS", Queues.key(name, "meta"), "flavour"))
        .isEqualTo(0L);
  }

  @Test
  void theOtherFlavourIsRefusedWithoutAdvisingToDeleteTheQueue() {
    String name = Queues.uniqueName("mixed");
    queues.open(name, false).close();
    assertThatThrownBy(() -> queues.open(name, true))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("holds a simple queue").hasMessageContaining("open it as simple")
        .hasMessageNotContaining("remove");
  }
}
