package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.QueueSettings;
import io.queuekit.conformance.crash.ChildJvm;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Waiters in real child JVMs ({@link WaiterChild}): one push wakes exactly one of them, and the
 * item of a consumer killed with SIGKILL while holding it is handled by an idle one within
 * {@code CONSUMER_TIMEOUT} plus one beat (docs/DESIGN.md §3.6, §3.7).
 */
class RedisWaitersAcrossProcessesTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int JVMS = 4;
  private static final int PER_JVM = 5;

  private static ChildJvm child(String queue, int instances, long ttlMs, String mode) {
    return ChildJvm.start(WaiterChild.class, List.of("-Xmx96m"), List.of(
        redis.server().connStr(), queue, Integer.toString(instances), Long.toString(ttlMs),
        mode));
  }

  /** Clients blocked in BLPOP now. */
  private static long blocked(Resp r) {
    return String.valueOf(r.call("CLIENT", "LIST")).lines()
        .filter(l -> l.contains("cmd=blpop") && l.contains("flags=b")).count();
  }

  /** BLPOP calls so far: a waiter sends a new one only after its last one returned. */
  private static long blpops(Resp r) {
    for (String l : String.valueOf(r.call("INFO", "commandstats")).split("\r?\n")) {
      if (l.startsWith("cmdstat_blpop:calls=")) {
        return Long.parseLong(l.substring("cmdstat_blpop:calls=".length(), l.indexOf(',')));
      }
    }
    return 0;
  }

  /**
   * {@value #JVMS} JVMs × {@value #PER_JVM} waiters blocked on one queue; one push. The push
   * leaves one wake token, so exactly one BLPOP returns: counted by the server ({@code INFO
   * commandstats}: the one woken sends a new BLPOP after its claim; nobody else sends any), not
   * by a timing. No token is left, so no other waiter can wake for it later.
   */
  @Test
  void onePushWakesExactlyOneWaiterAcrossProcesses() throws Exception {
    String name = Queues.uniqueName("herd");
    int waiters = JVMS * PER_JVM;
    List<ChildJvm> children = new ArrayList<>();
    try (Queues queues = new Queues(redis.server().connStr());
        Resp r = redis.server().client()) {
      for (int i = 0; i < JVMS; i++) {
        children.add(child(name, PER_JVM, 60_000, "wait"));
      }
      for (ChildJvm c : children) {
        c.awaitLine("READY", WAIT);
      }
      await().pollDelay(Duration.ZERO).atMost(WAIT).until(() -> blocked(r) == waiters);
      long before = blpops(r);
      RedisQueue producer = queues.open(name, false);
      producer.push(Item.of("one".getBytes(StandardCharsets.UTF_8)), WAIT);
      // handled, acked, and the woken waiter blocked again
      await().pollDelay(Duration.ZERO).atMost(WAIT).until(() -> blpops(r) > before
          && blocked(r) == waiters && producer.stats().inFlight() == 0);
      assertThat(blpops(r) - before).as("waiters woken by one push").isEqualTo(1);
      assertThat(r.integer("LLEN", "{" + name + "_queue}:wake")).as("tokens left").isZero();
      assertThat(producer.stats().ready()).isZero();
      long got = children.stream().mapToLong(c -> c.stdout().lines()
          .filter(l -> l.startsWith("GOT ")).count()).sum();
      assertThat(got).isEqualTo(1);
    } finally {
      for (ChildJvm c : children) {
        c.close();
      }
    }
  }

  /**
   * A consumer JVM claims an item and is killed with SIGKILL (no settle, no unregister). An idle
   * waiter in this JVM, registered after it and blocked in BLPOP, gets the item with recovery
   * count 1. That this happens within CONSUMER_TIMEOUT (1 s) plus one beat (333 ms) is shown
   * by state, not a stopwatch: the dead consumer is in the queue's busy set, which every tick of
   * the waiter's beat group looks at, and its heartbeat's TTL is at most CONSUMER_TIMEOUT.
   */
  @Test
  void aKilledHoldersItemGoesToAnIdleWaiterWithinTheTimeoutAndOneBeat() throws Exception {
    String name = Queues.uniqueName("killheld");
    long ttl = 1_000;
    QueueSettings s = QueueSettings.builder().type("redis").connStr(redis.server().connStr())
        .consumerTimeout(Duration.ofMillis(ttl)).build();
    try (Queues queues = new Queues(redis.server().connStr());
        Resp r = redis.server().client();
        ChildJvm holder = child(name, 1, ttl, "hold")) {
      RedisQueue producer = queues.open(name, false, s, Clock.systemUTC());
      producer.push(Item.of("held".getBytes(StandardCharsets.UTF_8)), WAIT);
      holder.awaitLine("HOLDING held", WAIT);
      RedisQueue survivor = queues.open(name, false, s, Clock.systemUTC());
      // registered and idle: nothing is ready, the item is in flight under the holder
      assertThat(survivor.claim(1, Duration.ZERO)).isEmpty();
      // The bound, as state rather than a stopwatch: the holder is in the busy set, which every
      // tick (a third of CONSUMER_TIMEOUT) of the survivor's beat group reads, and its
      // heartbeat lapses at most CONSUMER_TIMEOUT after its last beat (a busy consumer's, not
      // the idle one's three times as long)
      String tag = "{" + name + "_queue}";
      List<String> busy = r.strings("SMEMBERS", tag + ":busy");
      assertThat(busy).hasSize(1);
      String holderId = busy.get(0);
      long pttl = (Long) r.call("PTTL", tag + ":heartbeat:" + holderId);
      assertThat(pttl).as("the busy holder's heartbeat TTL").isBetween(1L, ttl);
      holder.kill();
      List<Delivery> got = survivor.claim(1, WAIT);
      assertThat(got).hasSize(1);
      assertThat(new String(got.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("held");
      assertThat(got.get(0).recoveryCount()).isEqualTo(1);
      assertThat(r.strings("SMEMBERS", tag + ":busy")).as("reaped: no longer busy")
          .doesNotContain(holderId);
    }
  }
}
