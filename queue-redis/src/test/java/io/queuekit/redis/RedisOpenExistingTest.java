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
