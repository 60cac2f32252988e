package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.QueueConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A queue's key names: SET_NAME cannot make the unique set one of the queue's other keys. */
class RedisKeysTest {
  @Test
  void aSetNameThatNamesAnotherKeyOfTheQueueIsRefusedNamingIt() {
    for (String setName : List.of(":meta", ":ready", ":dead", ":leases", ":ready:migrating",
        ":inflight:abc", ":heartbeat:abc")) {
      assertThatThrownBy(() -> new RedisKeys("mail", "", "mail_queue", "mail_queue" + setName))
          .as(setName).isInstanceOf(QueueConfigException.class)
          .hasMessageContaining("queue \"mail\": SET_NAME \"" + setName + "\" makes the unique "
              + "set the key {mail_queue}" + setName + ", which the queue keeps for something else");
    }
  }

  @Test
  void giteasDefaultAndOtherSetNamesAreTheirOwnKey() {
    assertThat(new RedisKeys("mail", "", "mail_queue", "mail_queue_unique").unique)
        .isEqualTo("{mail_queue}_unique");
    assertThat(new RedisKeys("mail", "", "mail_queue", "mail_queue:metadata").unique)
        .isEqualTo("{mail_queue}:metadata");
  }
}
