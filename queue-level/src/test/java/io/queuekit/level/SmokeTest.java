package io.queuekit.level;

import static io.queuekit.level.Fixture.item;
import static io.queuekit.level.Fixture.str;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.PushResult;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
  @TempDir Path tmp;

  @Test
  void pushClaimAckAndRecover() {
    try (Fixture f = new Fixture(tmp)) {
      try (BaseQueue q = f.open("smoke", true)) {
        assertThat(q.push(item("foo"), Duration.ZERO)).isEqualTo(PushResult.ADDED);
        assertThat(q.push(item("foo"), Duration.ZERO)).isEqualTo(PushResult.DUPLICATE);
        assertThat(q.push(item("bar"), Duration.ZERO)).isEqualTo(PushResult.ADDED);
        assertThat(q.has("foo".getBytes())).isTrue();
        assertThat(q.len()).isEqualTo(2);
        List<Delivery> d = q.claim(1, Duration.ZERO);
        assertThat(d).hasSize(1);
        assertThat(str(d.get(0).payload())).isEqualTo("foo");
        assertThat(q.has("foo".getBytes())).isFalse();
        assertThat(q.ack(d)).containsExactly(Outcome.DONE);
        assertThat(q.ack(d)).containsExactly(Outcome.STALE);
        List<Delivery> d2 = q.claim(5, Duration.ZERO);
        assertThat(d2).hasSize(1);
      }
      try (BaseQueue q = f.open("smoke", true)) {
        List<Delivery> d = q.claim(5, Duration.ZERO);
        assertThat(d).hasSize(1);
        assertThat(str(d.get(0).payload())).isEqualTo("bar");
        assertThat(d.get(0).recoveryCount()).isEqualTo(1);
      }
    }
  }
}
