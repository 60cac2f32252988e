package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.Durability;
import io.queuekit.conformance.redis.RedisSentinel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Sentinel failover under load: a master, two replicas and a sentinel; a producer pushes with
 * {@code DURABILITY=replica} and a consumer claims and acks while the master is killed with
 * {@code kill -9}. The sentinel promotes a replica (the one with the most data), the queue
 * reconnects through the sentinel by itself, pushes and claims succeed again without reopening,
 * and every push that was acknowledged is handled.
 */
class RedisFailoverTest {

  @Test
  void acknowledgedPushesSurviveAFailoverAndTheQueueCarriesOn() throws Exception {
    // failover-timeout only bounds a failover (a short one made a slow promotion on a busy
    // machine count as failed, and the next attempt promoted the other replica)
    try (RedisSentinel sentinel = RedisSentinel.withReplicas(2, Duration.ofMillis(500),
        Duration.ofSeconds(20))) {
      int firstMaster = sentinel.currentMasterPort();
      // short waits: reconnect backoff up to 200 ms, command timeout 1 s (WAIT: 500 ms)
      String connStr = sentinel.connStr() + "&max_retry_backoff=200ms&read_timeout=1s";
      Traffic traffic;
      try (Queues queues = new Queues(connStr)) {
        RedisQueue q = queues.open(Queues.uniqueName("failover"), false, queues.settings()
            .durability(Durability.replicas(1)).pushTimeout(Duration.ofSeconds(1)).build());
        traffic = new Traffic(q, Duration.ofSeconds(1));
        await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(5))
            .until(() -> traffic.pushed.size() >= 200);

        sentinel.master().kill();
        await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(15))
            .until(() -> sentinel.currentMasterPort() != firstMaster);
        int pushedAtFailover = traffic.pushed.size();
        int handledAtFailover = traffic.handled.size();
        // the same queue object pushes and claims on the new master: no reopen
        try {
          await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(30))
              .failFast("producer or consumer died", () -> !traffic.alive())
              .until(() -> traffic.pushed.size() >= pushedAtFailover + 100
                  && traffic.handled.size() >= handledAtFailover + 100);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
          throw new AssertionError("after the failover "
              + (traffic.pushed.size() - pushedAtFailover) + " pushes and "
              + (traffic.handled.size() - handledAtFailover) + " handled (100 each expected); "
              + "sentinel log:\n" + sentinel.log(), e);
        }
        // what remains waiting is handled by the same queue
        traffic.stopAndDrain();
      }
      assertThat(traffic.pushed).hasSizeGreaterThanOrEqualTo(300);
      assertThat(traffic.handled).as("every acknowledged push is handled after the failover")
          .containsAll(traffic.pushed);
    }
  }
}
