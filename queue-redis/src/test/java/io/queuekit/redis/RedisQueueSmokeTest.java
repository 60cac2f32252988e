package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.PushResult;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisQueueSmokeTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  @Test
  void pushClaimAck() {
    try (Queues qs = new Queues(redis.server().connStr())) {
      RedisQueue q = qs.open(Queues.uniqueName("smoke"), true);
      assertThat(q.push(Item.of(b("a")), Duration.ofSeconds(1))).isEqualTo(PushResult.ADDED);
      assertThat(q.push(Item.of(b("a")), Duration.ofSeconds(1))).isEqualTo(PushResult.DUPLICATE);
      assertThat(q.has(b("a"))).isTrue();
      assertThat(q.len()).isEqualTo(1);
      List<Delivery> d = q.claim(10, Duration.ofSeconds(1));
      assertThat(d).hasSize(1);
      assertThat(new String(d.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("a");
      assertThat(q.has(b("a"))).isFalse();
      assertThat(q.ack(d)).containsExactly(Outcome.DONE);
      assertThat(q.ack(d)).containsExactly(Outcome.STALE);
      assertThat(q.stats().inFlight()).isZero();
    }
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
