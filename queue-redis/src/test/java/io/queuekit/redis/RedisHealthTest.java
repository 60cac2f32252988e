package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuekit.QueueConfig;
import io.queuekit.QueueHealth;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.conformance.CapturedErr;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code health()} reports the consumers the store sees: the registry and the heartbeats, over
 * every process ({@link Census}).
 */
class RedisHealthTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static final Duration WAIT = Duration.ofSeconds(30);
  @RegisterExtension
  final Queues queues = Queues.on(redis);

  private static QueueHealth.Consumers consumers(RedisQueue q) {
    return q.consumers().orElseThrow();
  }

  @Test
  void twoInstancesAreTwoConsumersAndAClosedOneLeaves() {
    String name = Queues.uniqueName("health");
    RedisQueue a = queues.open(name, false);
    RedisQueue b = queues.open(name, false);
    assertThat(consumers(a).live()).as("nobody claimed yet").isZero();
    assertThat(consumers(a).oldestBeatAge()).isEmpty();
    // a claim registers its instance
    a.claim(1, Duration.ZERO);
    b.claim(1, Duration.ZERO);
    QueueHealth.Consumers two = consumers(b);
    assertThat(two.live()).isEqualTo(2);
    assertThat(two.oldestBeatAge()).hasValueSatisfying(age ->
        assertThat(age).isBetween(Duration.ZERO, Duration.ofSeconds(3)));
    a.close();
    // b answers from its own fresh census or reads again: either way after the close
    assertThat(queues.open(name, false).consumers().orElseThrow().live()).isEqualTo(1);
  }

  /**
   * A consumer killed without closing leaves its registration and heartbeat behind: it is listed
   * until the heartbeat lapses ({@code CONSUMER_TIMEOUT}, 1 s here), its beat ageing meanwhile.
   */
  @Test
  void aKilledConsumerIsListedUntilItsBeatLapses() {
    String name = Queues.uniqueName("healthkill");
    QueueSettings s = queues.settings().consumerTimeout(Duration.ofSeconds(1)).build();
    RedisQueue live = queues.open(name, false, s);
    live.claim(1, Duration.ZERO);
    try (Resp r = redis.server().client()) {
      // what a process killed right after beating leaves: its registration and a heartbeat that
      // nobody renews (the value is the PX it was set with)
      String tag = "{" + name + "_queue}";
      r.call("HSET", tag + ":consumers", "killed0000000000", "elsewhere 1");
      r.call("SET", tag + ":heartbeat:killed0000000000", "1000", "PX", "1000");
    }
    RedisQueue observer = queues.open(name, false, s);
    assertThat(consumers(observer).live()).isEqualTo(2);
    await().pollDelay(Duration.ZERO).atMost(WAIT)
        .until(() -> consumers(observer).live() == 1);
  }

  /**
   * A reaper that cannot recover a dead consumer (here its in-flight key holds another type) says
   * so at WARN, naming the key, once however many beats meet it; with the key put right, the next
   * beat recovers the consumer. Before, it was logged at DEBUG only: the dead consumer's items
   * stayed in flight with nothing in the log.
   */
  @Test
  void aReaperThatCannotRecoverADeadConsumerWarnsOnceNamingTheKey() throws Exception {
    String name = Queues.uniqueName("healthreap");
    String tag = "{" + name + "_queue}";
    String inflight = tag + ":inflight:killed0000000000";
    QueueSettings s = queues.settings().consumerTimeout(Duration.ofSeconds(1)).build();
    try (CapturedErr err = CapturedErr.start(); Resp r = redis.server().client();
        RedisIdleCostTest.Monitor mon = new RedisIdleCostTest.Monitor(redis.server().port())) {
      RedisQueue live = queues.open(name, false, s);
      live.claim(1, Duration.ZERO);
      r.call("HSET", tag + ":consumers", "killed0000000000", "elsewhere 1");
      r.call("SET", tag + ":heartbeat:killed0000000000", "1000", "PX", "1000");
      r.call("SET", inflight, "not a hash");
      // the reaper meets the fault at least twice
      await().pollDelay(Duration.ZERO).atMost(WAIT).until(() -> mon.all().stream()
          .filter(l -> l.contains(Scripts.Script.RECOVER.sha)).count() >= 2);
      assertThat(err.text()).contains("WARN").contains("queue \"" + name + "\": the reaper failed")
          .contains(inflight);
      assertThat(err.count("the reaper failed")).as("warned once").isEqualTo(1);
      // the health read names the key too
      assertThatThrownBy(() -> consumers(live)).hasMessageContaining(inflight + " holds a string");

      r.call("DEL", inflight);
      await().pollDelay(Duration.ZERO).atMost(WAIT)
          .until(() -> consumers(live).live() == 1);
    }
  }

  @Test
  void theManagersHealthCarriesTheConsumers() {
    String name = Queues.uniqueName("healthmgr");
    QueueSettings settings = queues.settings().build();
    try (QueueManager m = QueueManager.builder().dataPath(Path.of("target"))
        .claimWait(Duration.ofMillis(200)).config(QueueConfig.of(settings)).build()) {
      m.createSimple(name, Integer.class, items -> List.of());
      await().pollDelay(Duration.ZERO).atMost(WAIT).until(() -> m.health(Duration.ofMinutes(1))
          .queues().get(0).consumers().map(QueueHealth.Consumers::live).orElse(0) == 1);
      QueueHealth.Queue h = m.health(Duration.ofMinutes(1)).queues().get(0);
      assertThat(h.consumers()).hasValueSatisfying(c ->
          assertThat(c.oldestBeatAge()).isPresent());
    }
  }
}
