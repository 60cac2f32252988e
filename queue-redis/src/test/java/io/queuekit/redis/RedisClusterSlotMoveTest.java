package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.conformance.redis.RedisCluster;
import io.queuekit.conformance.redis.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    String name = Queues.uniqueName("slotmove");
    Traffic traffic;
    try (Queues queues = new Queues(cluster.connStr())) {
      RedisQueue q = queues.open(name, false);
      traffic = new Traffic(q, Duration.ofSeconds(5));
      await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(10))
          .until(() -> traffic.handled.size() >= 200);

      Move move = moveSlot(cluster, "{" + name + "_queue}:meta");

      int handledAtMove = traffic.handled.size();
      int pushedAtMove = traffic.pushed.size();
      await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(10))
          .failFast("producer or consumer died", () -> !traffic.alive())
          .until(() -> traffic.handled.size() >= handledAtMove + 200
              && traffic.pushed.size() >= pushedAtMove + 200);
      traffic.stopAndDrain();
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
    assertThat(traffic.handled).as("the set handled equals the set pushed")
        .isEqualTo(traffic.pushed);
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
