package io.queuekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class QueueSpecTest {

  private static final Handler<String> NOTHING = batch -> List.of();

  /** A URL path drops "." and ".." segments (%2e too): the admin page could never reach such a queue. */
  @Test
  void aDotSegmentIsNoQueueName() {
    for (String name : new String[] {".", ".."}) {
      assertThatThrownBy(() -> QueueSpec.simple(name, String.class, NOTHING)).as(name)
          .isInstanceOf(QueueConfigException.class)
          .hasMessageStartingWith("queue \"" + name + "\": a queue cannot be named \"" + name + "\"")
          .hasMessageContaining("URL path");
      assertThatThrownBy(() -> QueueSpec.uniqueDelivered(name, String.class, batch -> List.of()))
          .as(name).isInstanceOf(QueueConfigException.class);
    }
  }

  @Test
  void namesHoldingDotsAreFine() {
    for (String name : new String[] {"...", ".mail", "mail.", "a..b"}) {
      assertThat(QueueSpec.simple(name, String.class, NOTHING).name()).isEqualTo(name);
    }
  }
}
