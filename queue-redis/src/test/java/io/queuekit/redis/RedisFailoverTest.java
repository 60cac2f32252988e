package io.queuekit.redis;

import static io.queuekit.redis.RedisQueueTest.item;
import static io.queuekit.redis.RedisQueueTest.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.Durability;
import io.queuekit.PushResult;
import io.queuekit.QueueException;
import io.queuekit.conformance.redis.RedisSentinel;
import io.queuekit.spi.Delivery;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      Set<String> handled = ConcurrentHashMap.newKeySet();
      AtomicInteger afterFailover = new AtomicInteger();
      AtomicInteger handledAfterFailover = new AtomicInteger();
      AtomicBoolean failedOver = new AtomicBoolean();
      AtomicBoolean stop = new AtomicBoolean();
      try (Queues queues = new Queues(connStr)) {
        RedisQueue q = queues.open(Queues.uniqueName("failover"), false, queues.settings()
            .durability(Durability.replicas(1)).pushTimeout(Duration.ofSeconds(1)).build());
        Thread producer = new Thread(() -> {
          for (int i = 0; !stop.get(); i++) {
            String id = "item-" + i;
            while (!stop.get()) {
              try {
                if (q.push(item(id), Duration.ofSeconds(1)) == PushResult.ADDED) {
                  acknowledged.add(id);
                  if (failedOver.get()) {
                    afterFailover.incrementAndGet();
                  }
                }
                break;
              } catch (QueueException e) {
                // unconfirmed or unreachable: the item may be stored; push it again
                // (at-least-once), as a producer that must not lose it would
              }
            }
          }
        }, "producer");
        Thread consumer = new Thread(() -> {
          while (!stop.get()) {
            try {
              List<Delivery> ds = q.claim(10, Duration.ofMillis(200));
              for (Delivery d : ds) {
                handled.add(payload(d));
              }
              if (!ds.isEmpty()) {
                q.ack(ds);
                if (failedOver.get()) {
                  handledAfterFailover.addAndGet(ds.size());
                }
              }
            } catch (QueueException e) {
              // unreachable during the failover: the claim loop retries; an unacked item
              // comes back (handled twice at most, never lost)
            }
          }
        }, "consumer");
        producer.start();
        consumer.start();
        await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(5))
            .until(() -> acknowledged.size() >= 200);

        sentinel.master().kill();
        await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(15))
            .until(() -> sentinel.currentMasterPort() != firstMaster);
        failedOver.set(true);
        // the same queue object pushes and claims on the new master: no reopen
        try {
          await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(30))
              .failFast("producer or consumer died",
                  () -> !producer.isAlive() || !consumer.isAlive())
              .until(() -> afterFailover.get() >= 100 && handledAfterFailover.get() >= 100);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
          throw new AssertionError("after the failover " + afterFailover.get() + " pushes and "
              + handledAfterFailover.get() + " handled (100 each expected); sentinel log:\n"
              + sentinel.log(), e);
        }
        stop.set(true);
        producer.join(10_000);
        consumer.join(10_000);
        // what remains waiting is handled by the same queue
        while (true) {
          List<Delivery> ds = q.claim(100, Duration.ofMillis(200));
          if (ds.isEmpty()) {
            break;
          }
          ds.forEach(d -> handled.add(payload(d)));
          q.ack(ds);
        }
      }
      assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(300);
      assertThat(handled).as("every acknowledged push is handled after the failover")
          .containsAll(acknowledged);
    }
  }
}
