package io.queuekit.redis;

import static io.queuekit.redis.Queues.key;
import static io.queuekit.redis.RedisQueueTest.payloads;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.QueueFullException;
import io.queuekit.QueueSettings;
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
   * Two consumers of one queue under random traffic, and what it must add up to: the items
   * pushed and not yet acked are waiting or held, every item is acked exactly once, and at the
   * end no pack, packed count or first-pushed count is left.
   */
  private final class Traffic {
    final String name;
    final QueueSettings settings;
    final RedisQueue[] qs;
    final Random rnd;
    final Map<String, Integer> acked = new HashMap<>();
    final List<List<Delivery>> held = List.of(new ArrayList<>(), new ArrayList<>());
    final StringBuilder log = new StringBuilder();
    int next;
    long outstanding;

    Traffic(String base, Random rnd, QueueSettings settings) {
      this.name = Queues.uniqueName(base);
      this.rnd = rnd;
      this.settings = settings;
      this.qs = new RedisQueue[] {queues.open(name, false, settings),
          queues.open(name, false, settings)};
    }

    /** A pack of 1 to 6 items (or as many as LENGTH admits). */
    void push(RedisQueue q) {
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
    }

    void claim(RedisQueue q, List<Delivery> h) {
      int max = 1 + rnd.nextInt(7);
      List<Delivery> ds = q.claim(max, Duration.ZERO);
      log.append("claim").append(max).append('=').append(ds.size()).append(' ');
      h.addAll(ds);
    }

    /** Acks a random subset of what {@code q} holds (which may split its claims). */
    void ackSome(RedisQueue q, List<Delivery> h) {
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
        ack(q, some);
      }
    }

    private void ack(RedisQueue q, List<Delivery> ds) {
      assertThat(q.ack(ds)).as(log.toString()).containsOnly(Outcome.DONE);
      for (String p : payloads(ds)) {
        acked.merge(p, 1, Integer::sum);
      }
      outstanding -= ds.size();
    }

    void checkCounts() {
      long inFlight = held.get(0).size() + held.get(1).size();
      assertThat(qs[0].len()).as("len after %s", log).isEqualTo(outstanding - inFlight);
      var st = qs[1].stats();
      assertThat(st.ready() + st.delayed()).as("waiting after %s", log)
          .isEqualTo(outstanding - inFlight);
      assertThat(st.inFlight()).as("in flight after %s", log).isEqualTo(inFlight);
    }

    /** Acks what is held, claims and acks the rest, and checks what is left. */
    void drain(int seed) {
      for (int c = 0; c < 2; c++) {
        if (!held.get(c).isEmpty()) {
          ack(qs[c], held.get(c));
          held.get(c).clear();
        }
      }
      for (List<Delivery> ds; !(ds = qs[0].claim(100, Duration.ZERO)).isEmpty(); ) {
        ack(qs[0], ds);
      }
      assertThat(outstanding).as(log.toString()).isZero();
      assertThat(acked.values()).as("seed %d: %s", seed, log).allMatch(v -> v == 1);
      assertThat(qs[0].listDead(0, 10)).isEmpty();
      assertThat(r().integer("EXISTS", key(name, "packs"))).as(log.toString()).isZero();
      assertThat(r().integer("HEXISTS", key(name, "meta"), "packed")).isZero();
      assertThat(r().integer("EXISTS", key(name, "firstn"))).as("firstn " + log).isZero();
    }
  }

  /**
   * Random traffic from two consumers (packs of random sizes, claims of random max, acks,
   * releases, unclaims, partial acks, LENGTH reached): the counts add up after every step.
   */
  @Test
  void randomTrafficKeepsTheCountsAndLosesNothing() {
    for (int seed = 1; seed <= 6; seed++) {
      Random rnd = new Random(seed);
      Traffic t = new Traffic("packrand", rnd,
          queues.settings().length(1 + rnd.nextInt(40)).build());
      for (int step = 0; step < 300; step++) {
        int c = rnd.nextInt(2);
        RedisQueue q = t.qs[c];
        List<Delivery> h = t.held.get(c);
        int op = rnd.nextInt(10);
        if (op < 3) {
          t.push(q);
        } else if (op < 6) {
          t.claim(q, h);
        } else if (op < 8 && !h.isEmpty()) {
          t.ackSome(q, h);
        } else if (op == 8 && !h.isEmpty()) {
          Delivery d = h.remove(rnd.nextInt(h.size()));
          t.log.append("release ");
          assertThat(q.release(d, Duration.ZERO)).as(t.log.toString()).isEqualTo(Outcome.DONE);
        } else if (!h.isEmpty()) {
          int n = 1 + rnd.nextInt(h.size());
          List<Delivery> back = new ArrayList<>(h.subList(0, n));
          h.subList(0, n).clear();
          t.log.append("unclaim").append(n).append(' ');
          assertThat(q.unclaim(back)).as(t.log.toString()).containsOnly(Outcome.DONE);
        }
        t.checkCounts();
      }
      t.drain(seed);
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
      Traffic t = new Traffic("packcrashrand", rnd, queues.settings()
          .length(5 + rnd.nextInt(40)).maxRecoveries(0).globalMaxWorkers(cap).build());
      for (int step = 0; step < 250; step++) {
        int c = rnd.nextInt(2);
        RedisQueue q = t.qs[c];
        List<Delivery> h = t.held.get(c);
        int op = rnd.nextInt(14);
        if (op < 4) {
          t.push(q);
        } else if (op == 4) {
          t.log.append("pushDelayed ");
          try {
            q.push(Item.of(("p" + t.next++).getBytes(StandardCharsets.UTF_8)),
                Duration.ofSeconds(5), Duration.ZERO);
            t.outstanding++;
          } catch (QueueFullException e) {
            t.log.append("(full) ");
          }
        } else if (op == 5) {
          t.log.append("advance ");
          queues.clock.advance(Duration.ofSeconds(6));
        } else if (op < 9) {
          t.claim(q, h);
        } else if (op < 11 && !h.isEmpty()) {
          t.ackSome(q, h);
        } else if (op == 11) {
          t.log.append("crash").append(c).append('(').append(h.size()).append(") ");
          q.crashAndReap();
          h.clear();
          t.qs[c] = queues.open(t.name, false, t.settings);
        } else if (op == 12) {
          q.sweepNow();
          t.log.append("sweep ");
        } else if (op == 13 && rnd.nextInt(4) == 0) {
          long removed = q.removeAll();
          t.log.append("removeAll=").append(removed).append(' ');
          t.outstanding -= removed;
        }
        t.checkCounts();
      }
      queues.clock.advance(Duration.ofSeconds(6));
      t.drain(seed);
    }
  }
}
