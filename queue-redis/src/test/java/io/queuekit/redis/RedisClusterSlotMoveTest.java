package io.queuekit.redis;

import static io.queuekit.redis.RedisQueueTest.item;
import static io.queuekit.redis.RedisQueueTest.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.PushResult;
import io.queuekit.QueueException;
import io.queuekit.conformance.redis.RedisCluster;
import io.queuekit.conformance.redis.Resp;
import io.queuekit.spi.Delivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A queue's hash slot moves to another master mid-run, the way {@code redis-cli --cluster
 * reshard} does it ({@code SETSLOT IMPORTING/MIGRATING}, {@code MIGRATE} of its keys, {@code
 * SETSLOT NODE}), while a producer pushes and a consumer claims and acks. During the move scripts
 * meet {@code ASK} (followed by Lettuce, {@code EVALSHA} included) and {@code TRYAGAIN} (retried by
 * the queue); after it {@code MOVED} (followed, and the slot map re-read). Nothing is lost:
 * the set handled equals the set pushed.
 */
class RedisClusterSlotMoveTest {
  /** The old and the new owner of the slot. */
  private record Move(int source, int target) {}

  @Test
  void aQueueKeepsWorkingWhileItsSlotMovesToAnotherMaster() throws Exception {
    RedisCluster cluster = RedisCluster.shared();
    Set<String> pushed = ConcurrentHashMap.newKeySet();
    Set<String> handled = ConcurrentHashMap.newKeySet();
    AtomicInteger handledCount = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    String name = Queues.uniqueName("slotmove");
    try (Queues queues = new Queues(cluster.connStr())) {
      RedisQueue q = queues.open(name, false);
      Thread producer = new Thread(() -> {
        for (int i = 0; !stop.get(); i++) {
          String id = "item-" + i;
          while (!stop.get()) {
            try {
              if (q.push(item(id), Duration.ofSeconds(5)) == PushResult.ADDED) {
                pushed.add(id);
              }
              break;
            } catch (QueueException e) {
              // not reachable in time: push it again (at-least-once)
            }
          }
        }
      }, "producer");
      Thread consumer = new Thread(() -> {
        while (!stop.get()) {
          try {
            List<Delivery> ds = q.claim(10, Duration.ofMillis(200));
            ds.forEach(d -> handled.add(payload(d)));
            handledCount.addAndGet(ds.size());
            ackUntilDone(q, ds);
          } catch (QueueException e) {
            // the claim loop retries by itself; this is a claim that gave up waiting
          }
        }
      }, "consumer");
      producer.start();
      consumer.start();
      await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(10))
          .until(() -> handledCount.get() >= 200);

      Move move = moveSlot(cluster, "{" + name + "_queue}:meta");

      int handledAtMove = handledCount.get();
      int pushedAtMove = pushed.size();
      await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(10))
          .until(() -> handledCount.get() >= handledAtMove + 200
              && pushed.size() >= pushedAtMove + 200);
      stop.set(true);
      producer.join(10_000);
      consumer.join(10_000);
      while (true) {
        List<Delivery> ds = q.claim(100, Duration.ofMillis(200));
        if (ds.isEmpty()) {
          break;
        }
        ds.forEach(d -> handled.add(payload(d)));
        ackUntilDone(q, ds);
      }
      assertThat(q.len()).isZero();
      try (Resp r = Resp.connect(move.target())) {
        assertThat(r.integer("EXISTS", "{" + name + "_queue}:meta"))
            .as("the queue's keys live on the new master").isEqualTo(1);
      }
      try (Resp r = Resp.connect(move.source())) {
        // the client met the move: redirected (MOVED or ASK) by the old owner at least once
        assertThat(String.valueOf(r.call("INFO", "errorstats")))
            .containsAnyOf("errorstat_MOVED", "errorstat_ASK");
      }
    }
    assertThat(handled).as("the set handled equals the set pushed").isEqualTo(pushed);
  }

  /** A settle that cannot reach the slot's owner stays held; retry it, as the worker pool does. */
  private static void ackUntilDone(RedisQueue q, List<Delivery> ds) {
    while (!ds.isEmpty()) {
      try {
        q.ack(ds);
        return;
      } catch (QueueException e) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }
  }

  /** Moves the slot of {@code key} to another master. */
  private static Move moveSlot(RedisCluster cluster, String key) {
    List<Integer> ports = cluster.ports();
    long slot;
    try (Resp r = Resp.connect(ports.get(0))) {
      slot = r.integer("CLUSTER", "KEYSLOT", key);
    }
    int source = -1;
    for (int p : ports) {
      try (Resp r = Resp.connect(p)) {
        if (r.integer("CLUSTER", "COUNTKEYSINSLOT", Long.toString(slot)) > 0) {
          source = p;
        }
      }
    }
    assertThat(source).as("the master holding slot " + slot).isPositive();
    int target = ports.get((ports.indexOf(source) + 1) % ports.size());
    String s = Long.toString(slot);
    String sourceId = id(source);
    String targetId = id(target);
    try (Resp src = Resp.connect(source); Resp dst = Resp.connect(target)) {
      dst.call("CLUSTER", "SETSLOT", s, "IMPORTING", sourceId);
      src.call("CLUSTER", "SETSLOT", s, "MIGRATING", targetId);
      while (true) {
        List<?> keys = (List<?>) src.call("CLUSTER", "GETKEYSINSLOT", s, "100");
        if (keys.isEmpty()) {
          break;
        }
        List<String> cmd = new ArrayList<>(List.of("MIGRATE", "127.0.0.1",
            Integer.toString(target), "", "0", "5000", "KEYS"));
        keys.forEach(k -> cmd.add(String.valueOf(k)));
        src.call(cmd.toArray(new String[0]));
      }
      dst.call("CLUSTER", "SETSLOT", s, "NODE", targetId);
      src.call("CLUSTER", "SETSLOT", s, "NODE", targetId);
    }
    for (int p : ports) {
      if (p != source && p != target) {
        try (Resp r = Resp.connect(p)) {
          r.call("CLUSTER", "SETSLOT", s, "NODE", targetId);
        }
      }
    }
    return new Move(source, target);
  }

  private static String id(int port) {
    try (Resp r = Resp.connect(port)) {
      return String.valueOf(r.call("CLUSTER", "MYID"));
    }
  }
}
