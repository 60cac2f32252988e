package io.queuekit.redis;

import static io.queuekit.redis.RedisQueueTest.item;
import static io.queuekit.redis.RedisQueueTest.payloads;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.spi.Delivery;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A claim hands out at most one recovered item. Handing out a batch of them would let a crash
 * before the extras are given back count a recovery for items no handler ran, until innocent
 * items reached MAX_RECOVERIES and were quarantined as poison.
 */
class RecoveredClaimTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  @Test
  void afterACrashEachClaimTakesOneRecoveredItemThenFreshOnesInBatches() {
    try (Queues queues = new Queues(redis.server().connStr())) {
      String name = Queues.uniqueName("recoveredclaim");
      RedisQueue dying = queues.open(name, false);
      for (String s : List.of("a", "b", "c")) {
        dying.push(item(s), Duration.ofSeconds(5));
      }
      assertThat(dying.claim(10, Duration.ofSeconds(5))).hasSize(3);
      dying.crashAndReap();

      RedisQueue survivor = queues.open(name, false);
      for (String s : List.of("x", "y")) {
        survivor.push(item(s), Duration.ofSeconds(5));
      }
      for (String expected : List.of("a", "b", "c")) {
        List<Delivery> one = survivor.claim(10, Duration.ofSeconds(5));
        assertThat(payloads(one)).containsExactly(expected);
        assertThat(one.get(0).recoveryCount()).isEqualTo(1);
        survivor.ack(one);
      }
      assertThat(payloads(survivor.claim(10, Duration.ofSeconds(5)))).containsExactly("x", "y");
    }
  }
}
