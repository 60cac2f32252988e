package io.queuekit.redis;

import static io.queuekit.redis.Queues.key;
import static io.queuekit.redis.RedisQueueTest.payloads;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.QueueFullException;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Review of layout 4's packs: MessagePack boundaries and counters under random traffic. */
class PackReviewTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static final Duration WAIT = Duration.ofSeconds(30);
  @RegisterExtension
  final Queues queues = Queues.on(redis);

  private Resp r() {
    return queues.admin();
  }

  private static String payloadOf(int len, int tag) {
    char[] c = new char[len];
    Arrays.fill(c, (char) ('a' + tag % 26));
    String t = Integer.toString(tag);
    for (int i = 0; i < Math.min(len, t.length()); i++) {
      c[i] = t.charAt(i);
    }
    return new String(c);
  }

  private static List<Item> items(List<String> ps) {
    return ps.stream().map(p -> Item.of(p.getBytes(StandardCharsets.UTF_8))).toList();
  }

  /**
   * Entries whose length (19-byte header "0:0:<13-digit ms>::" plus payload) sits on each
   * MessagePack string boundary, in packs of 15, 16 and 17 entries: read by the client (a claim of
   * the pack as it is), by cmsgpack (a claim of part of it, a partial ack that explodes it).
   */
  @Test
  void packsOnMessagePackBoundariesRoundTripEveryWay() {
    int[] entryLens = {20, 31, 32, 50, 255, 256, 257, 65535, 65536, 65537};
    int tag = 0;
    for (int count : new int[] {2, 15, 16, 17}) {
      for (int way = 0; way < 3; way++) {
        String name = Queues.uniqueName("packedge");
        RedisQueue q = queues.open(name, false);
        List<String> ps = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          ps.add(payloadOf(entryLens[(i + way + count) % entryLens.length] - 19, tag++));
        }
        q.pushAll(items(ps), WAIT);
        assertThat(r().integer("HLEN", key(name, "packs"))).isEqualTo(1);
        assertThat(q.len()).isEqualTo(count);
        List<String> got = new ArrayList<>();
        if (way == 0) {
          // the whole pack as it is: the client reads it
          List<Delivery> ds = q.claim(count, WAIT);
          got.addAll(payloads(ds));
          assertThat(q.ack(ds)).containsOnly(Outcome.DONE);
        } else if (way == 1) {
          // part of it: cmsgpack reads it, the rest back one each
          List<Delivery> ds = q.claim(count - 1, WAIT);
          got.addAll(payloads(ds));
          assertThat(q.ack(ds)).containsOnly(Outcome.DONE);
          ds = q.claim(count, WAIT);
          got.addAll(payloads(ds));
          assertThat(q.ack(ds)).containsOnly(Outcome.DONE);
        } else {
          // the whole pack, then a partial ack explodes it (cmsgpack reads the client's pack)
          List<Delivery> ds = q.claim(count, WAIT);
          got.addAll(payloads(ds));
          assertThat(q.ack(List.of(ds.get(0)))).containsOnly(Outcome.DONE);
          assertThat(q.unclaim(ds.subList(1, ds.size()))).containsOnly(Outcome.DONE);
          assertThat(q.len()).isEqualTo(count - 1);
          List<Delivery> again = q.claim(count, WAIT);
          assertThat(payloads(again)).isEqualTo(ps.subList(1, count));
          assertThat(q.ack(again)).containsOnly(Outcome.DONE);
        }
        assertThat(got).as("count %d way %d", count, way).isEqualTo(ps);
        assertThat(q.listDead(0, 10)).isEmpty();
        assertThat(r().integer("EXISTS", key(name, "packs"))).isZero();
        assertThat(q.len()).isZero();
      }
    }
  }

  /**
   * Random traffic from two consumers of one queue (packs of random sizes, claims of random max,
   * acks, releases, unclaims, partial acks, LENGTH reached): after every step the ready count
   * (len, stats) and the in-flight count add up to what was pushed and not yet acked, and at the
   * end every item was acked exactly once, with no pack and no packed count left.
   */
  @Test
  void randomTrafficKeepsTheCountsAndLosesNothing() {
    for (int seed = 1; seed <= 6; seed++) {
      Random rnd = new Random(seed);
      String name = Queues.uniqueName("packrand");
      int length = 1 + rnd.nextInt(40);
      var settings = queues.settings().length(length).build();
      RedisQueue[] qs = {queues.open(name, false, settings), queues.open(name, false, settings)};
      Map<String, Integer> acked = new HashMap<>();
      List<List<Delivery>> held = new ArrayList<>();
      held.add(new ArrayList<>());
      held.add(new ArrayList<>());
      int next = 0;
      long outstanding = 0;
      StringBuilder log = new StringBuilder();
      for (int step = 0; step < 300; step++) {
        int c = rnd.nextInt(2);
        RedisQueue q = qs[c];
        List<Delivery> h = held.get(c);
        int op = rnd.nextInt(10);
        if (op < 3) {
          int n = 1 + rnd.nextInt(6);
          List<String> ps = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            ps.add("p" + next++);
          }
          log.append("push").append(n).append(' ');
          try {
            q.pushAll(items(ps), Duration.ZERO);
            outstanding += n;
          } catch (QueueFullException e) {
            outstanding += e.results().size();
            log.append("(full after ").append(e.results().size()).append(") ");
          }
        } else if (op < 6) {
          int max = 1 + rnd.nextInt(7);
          List<Delivery> ds = q.claim(max, Duration.ZERO);
          log.append("claim").append(max).append('=').append(ds.size()).append(' ');
          h.addAll(ds);
        } else if (op < 8 && !h.isEmpty()) {
          // ack a random subset (may split claims)
          List<Delivery> some = new ArrayList<>();
          for (var it = h.iterator(); it.hasNext(); ) {
            Delivery d = it.next();
            if (rnd.nextBoolean()) {
              some.add(d);
              it.remove();
            }
          }
          log.append("ack").append(some.size()).append(' ');
          if (!some.isEmpty()) {
            assertThat(q.ack(some)).as(log.toString()).containsOnly(Outcome.DONE);
            for (String p : payloads(some)) {
              acked.merge(p, 1, Integer::sum);
            }
            outstanding -= some.size();
          }
        } else if (op == 8 && !h.isEmpty()) {
          Delivery d = h.remove(rnd.nextInt(h.size()));
          log.append("release ");
          assertThat(q.release(d, Duration.ZERO)).as(log.toString()).isEqualTo(Outcome.DONE);
        } else if (!h.isEmpty()) {
          int n = 1 + rnd.nextInt(h.size());
          List<Delivery> back = new ArrayList<>(h.subList(0, n));
          h.subList(0, n).clear();
          log.append("unclaim").append(n).append(' ');
          assertThat(q.unclaim(back)).as(log.toString()).containsOnly(Outcome.DONE);
        }
        long inFlight = held.get(0).size() + held.get(1).size();
        assertThat(qs[0].len()).as("len after %s", log).isEqualTo(outstanding - inFlight);
        var st = qs[1].stats();
        assertThat(st.ready()).as("ready after %s", log).isEqualTo(outstanding - inFlight);
        assertThat(st.inFlight()).as("in flight after %s", log).isEqualTo(inFlight);
      }
      for (int c = 0; c < 2; c++) {
        if (!held.get(c).isEmpty()) {
          for (String p : payloads(held.get(c))) {
            acked.merge(p, 1, Integer::sum);
          }
          assertThat(qs[c].ack(held.get(c))).containsOnly(Outcome.DONE);
        }
      }
      for (List<Delivery> ds; !(ds = qs[0].claim(100, Duration.ZERO)).isEmpty(); ) {
        for (String p : payloads(ds)) {
          acked.merge(p, 1, Integer::sum);
        }
        assertThat(qs[0].ack(ds)).containsOnly(Outcome.DONE);
      }
      assertThat(acked.values()).as("seed %d: %s", seed, log).allMatch(v -> v == 1);
      assertThat(qs[0].listDead(0, 10)).isEmpty();
      assertThat(r().integer("EXISTS", key(name, "packs"))).as(log.toString()).isZero();
      assertThat(r().integer("HEXISTS", key(name, "meta"), "packed")).isZero();
      assertThat(r().integer("EXISTS", key(name, "firstn"))).as("firstn " + log).isZero();
    }
  }

  /**
   * Random traffic with crashes (recovery to the head), sweeps, removeAll and delayed items
   * falling due: the counts add up after every step and no item is delivered to an ack twice.
   */
  @Test
  void randomTrafficWithCrashesAndRemoveAllKeepsTheCounts() {
    crashTraffic(0);
  }

  /** The same under GLOBAL_MAX_WORKERS (leases per claim, capped claims). */
  @Test
  void randomTrafficUnderTheGlobalCapKeepsTheCounts() {
    crashTraffic(2);
  }

  private void crashTraffic(int cap) {
    for (int seed = 1; seed <= 8; seed++) {
      Random rnd = new Random(seed * 31L);
      String name = Queues.uniqueName("packcrashrand");
      int length = 5 + rnd.nextInt(40);
      var settings = queues.settings().length(length).maxRecoveries(0).globalMaxWorkers(cap)
          .build();
      RedisQueue[] qs = {queues.open(name, false, settings), queues.open(name, false, settings)};
      Map<String, Integer> acked = new HashMap<>();
      List<List<Delivery>> held = new ArrayList<>();
      held.add(new ArrayList<>());
      held.add(new ArrayList<>());
      int next = 0;
      long outstanding = 0;
      long delayed = 0;
      StringBuilder log = new StringBuilder();
      for (int step = 0; step < 250; step++) {
        int c = rnd.nextInt(2);
        RedisQueue q = qs[c];
        List<Delivery> h = held.get(c);
        int op = rnd.nextInt(14);
        if (op < 4) {
          int n = 1 + rnd.nextInt(6);
          List<String> ps = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            ps.add("p" + next++);
          }
          log.append("push").append(n).append(' ');
          try {
            q.pushAll(items(ps), Duration.ZERO);
            outstanding += n;
          } catch (QueueFullException e) {
            outstanding += e.results().size();
            log.append("(full after ").append(e.results().size()).append(") ");
          }
        } else if (op == 4) {
          log.append("pushDelayed ");
          try {
            q.push(Item.of(("p" + next++).getBytes(StandardCharsets.UTF_8)),
                Duration.ofSeconds(5), Duration.ZERO);
            outstanding++;
            delayed++;
          } catch (QueueFullException e) {
            log.append("(full) ");
          }
        } else if (op == 5) {
          log.append("advance ");
          queues.clock.advance(Duration.ofSeconds(6));
          delayed = 0;
        } else if (op < 9) {
          int max = 1 + rnd.nextInt(7);
          List<Delivery> ds = q.claim(max, Duration.ZERO);
          log.append("claim").append(max).append('=').append(ds.size()).append(' ');
          h.addAll(ds);
        } else if (op < 11 && !h.isEmpty()) {
          List<Delivery> some = new ArrayList<>();
          for (var it = h.iterator(); it.hasNext(); ) {
            Delivery d = it.next();
            if (rnd.nextBoolean()) {
              some.add(d);
              it.remove();
            }
          }
          log.append("ack").append(some.size()).append(' ');
          if (!some.isEmpty()) {
            assertThat(q.ack(some)).as(log.toString()).containsOnly(Outcome.DONE);
            for (String p : payloads(some)) {
              acked.merge(p, 1, Integer::sum);
            }
            outstanding -= some.size();
          }
        } else if (op == 11) {
          log.append("crash").append(c).append('(').append(h.size()).append(") ");
          q.crashAndReap();
          h.clear();
          qs[c] = queues.open(name, false, settings);
        } else if (op == 12) {
          q.sweepNow();
          log.append("sweep ");
        } else if (op == 13 && rnd.nextInt(4) == 0) {
          long removed = q.removeAll();
          log.append("removeAll=").append(removed).append(' ');
          outstanding -= removed;
          delayed = 0;
        }
        long inFlight = held.get(0).size() + held.get(1).size();
        assertThat(qs[0].len()).as("len after %s", log).isEqualTo(outstanding - inFlight);
        var st = qs[1].stats();
        assertThat(st.ready() + st.delayed()).as("waiting after %s", log)
            .isEqualTo(outstanding - inFlight);
        assertThat(st.inFlight()).as("in flight after %s", log).isEqualTo(inFlight);
      }
      queues.clock.advance(Duration.ofSeconds(6));
      for (int c = 0; c < 2; c++) {
        if (!held.get(c).isEmpty()) {
          for (String p : payloads(held.get(c))) {
            acked.merge(p, 1, Integer::sum);
          }
          assertThat(qs[c].ack(held.get(c))).containsOnly(Outcome.DONE);
          outstanding -= held.get(c).size();
        }
      }
      for (List<Delivery> ds; !(ds = qs[0].claim(100, Duration.ZERO)).isEmpty(); ) {
        for (String p : payloads(ds)) {
          acked.merge(p, 1, Integer::sum);
        }
        outstanding -= ds.size();
        assertThat(qs[0].ack(ds)).containsOnly(Outcome.DONE);
      }
      assertThat(outstanding).as(log.toString()).isZero();
      assertThat(acked.values()).as("seed %d: %s", seed, log).allMatch(v -> v == 1);
      assertThat(qs[0].listDead(0, 10)).isEmpty();
      assertThat(r().integer("EXISTS", key(name, "packs"))).as(log.toString()).isZero();
      assertThat(r().integer("HEXISTS", key(name, "meta"), "packed")).isZero();
      assertThat(r().integer("EXISTS", key(name, "firstn"))).as("firstn " + log).isZero();
    }
  }
}
