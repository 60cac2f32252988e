package io.queuekit.redis;

import static io.queuekit.redis.RedisQueueTest.item;
import static io.queuekit.redis.RedisQueueTest.payloads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.conformance.CapturedErr;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The beat (once per heartbeat period, {@code CONSUMER_TIMEOUT} 3 s here): what it finds with its
 * one {@code EXISTS} besides renewing the heartbeat, and what it does then. No claim runs in
 * these tests while the beat is expected to act, so nothing but the beat can do it.
 */
class RedisBeatTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static final Duration WAIT = Duration.ofSeconds(30);
  @RegisterExtension
  final Queues queues = Queues.on(redis);

  @Test
  void anEntryInFlightWhileNothingIsHeldGoesBackToTheHead() {
    String name = Queues.uniqueName("stray");
    String inflight = "{" + name + "_queue}:inflight:";
    RedisQueue q = queues.open(name, false);
    q.push(item("a"), WAIT);
    Delivery d = q.claim(1, WAIT).get(0);
    String copy = "{" + name + "_queue}:test-copy";
    try (Resp r = redis.server().client()) {
      // the claim's field, as one field per entry: the copy is the entry itself
      InFlight.explode(r, inflight + q.consumerId());
      r.call("EVAL", "redis.call('SET', KEYS[2], redis.call('HGET', KEYS[1], ARGV[1]))", "2",
          inflight + q.consumerId(), copy, Long.toString(d.id()));
      assertThat(q.ack(List.of(d))).containsExactly(Outcome.DONE);
      // the instance holds nothing; the real entry appears in flight under a delivery id nobody
      // holds, as after a claim whose reply was lost
      r.call("EVAL", "redis.call('HSET', KEYS[1], ARGV[1], redis.call('GET', KEYS[2]))", "2",
          inflight + q.consumerId(), copy, "999999");
      r.call("DEL", copy);
      await().atMost(WAIT).until(() -> r.integer("HLEN", inflight + q.consumerId()) == 0);
    }
    assertThat(q.len()).isEqualTo(1);
    List<Delivery> back = q.claim(1, WAIT);
    assertThat(payloads(back)).containsExactly("a");
    assertThat(back.get(0).recoveryCount()).isZero();
  }

  @Test
  void aReadyItemWhoseWakeTokenWasLostGetsOneBack() throws Exception {
    String name = Queues.uniqueName("losttoken");
    String wake = "{" + name + "_queue}:wake";
    RedisQueue consumer = queues.open(name, false);
    RedisQueue producer = queues.open(name, false);
    // the wait runs out with no token: the next claim blocks without claiming first
    assertThat(consumer.claim(1, Duration.ofMillis(100))).isEmpty();
    producer.push(item("x"), WAIT);
    try (Resp r = redis.server().client()) {
      // the token is lost (as with a connection closed under a BLPOP that had taken it)
      r.call("DEL", wake);
      await().atMost(WAIT).until(() -> r.integer("LLEN", wake) == 1);
    }
    assertThat(consumer.len()).as("the beat moved nothing").isEqualTo(1);
    CompletableFuture<List<Delivery>> claim =
        CompletableFuture.supplyAsync(() -> consumer.claim(1, Duration.ofSeconds(60)));
    assertThat(payloads(claim.get(30, TimeUnit.SECONDS))).containsExactly("x");
  }

  @Test
  void aConsumerRegisteredAfterTheReaperIsReapedOnceItsHeartbeatIsGone() throws Exception {
    String name = Queues.uniqueName("laterdead");
    RedisQueue survivor = queues.open(name, false);
    survivor.claim(1, Duration.ZERO);
    // a delayed item waiting too: the beat's one EXISTS must still tell a gone heartbeat apart
    survivor.push(item("later"), Duration.ofHours(1), WAIT);
    try (Queues other = new Queues(redis.server().connStr());
        Resp r = redis.server().client()) {
      RedisQueue dying = other.open(name, false);
      dying.push(item("a"), WAIT);
      assertThat(payloads(dying.claim(1, WAIT))).containsExactly("a");
      String dead = dying.consumerId();
      // its process stops: no more beats (its scheduler is gone), nothing settled or unregistered
      other.scheduler.shutdownNow();
      assertThat(other.scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      // the survivor registered first, so only a registry read tells it of the dying consumer
      await().atMost(WAIT).until(
          () -> r.integer("HEXISTS", "{" + name + "_queue}:consumers", dead) == 0);
      assertThat(survivor.len()).isEqualTo(2);
      List<Delivery> back = survivor.claim(1, WAIT);
      assertThat(payloads(back)).containsExactly("a");
      assertThat(back.get(0).recoveryCount()).isEqualTo(1);
    }
  }

  @Test
  void aHeartbeatThatLapsedWhileStillRegisteredIsSetAgainNotFenced() {
    String name = Queues.uniqueName("lapsed");
    RedisQueue q = queues.open(name, false);
    q.claim(1, Duration.ZERO);
    String id = q.consumerId();
    String heartbeat = "{" + name + "_queue}:heartbeat:" + id;
    try (Resp r = redis.server().client()) {
      // as after a pause longer than CONSUMER_TIMEOUT that nobody reaped: SET XX finds no key
      r.call("DEL", heartbeat);
      await().atMost(WAIT).until(() -> r.integer("EXISTS", heartbeat) == 1);
      assertThat(r.integer("PTTL", heartbeat)).isPositive();
    }
    assertThat(q.consumerId()).isEqualTo(id);
  }

  @Test
  void aRefusedSweepIsWarnedAboutOnceAndTheNextBeatSweepsAgain() {
    String name = Queues.uniqueName("badsweep");
    String dead = "{" + name + "_queue}:dead";
    RedisQueue q = queues.open(name, false);
    q.push(item("a"), WAIT);
    List<Delivery> got = q.claim(1, WAIT); // held: each beat sweeps
    try (Resp r = redis.server().client(); CapturedErr err = CapturedErr.start()) {
      r.call("SET", dead, "another program's string"); // the sweep guards it: refused
      await().atMost(WAIT).until(() -> err.count("the sweep of entries in flight") > 0);
      long refusedBefore = sweepsRefused(r);
      await().atMost(WAIT).until(() -> sweepsRefused(r) > refusedBefore); // the next beat's
      r.call("DEL", dead);
      assertThat(q.ack(got)).containsExactly(Outcome.DONE);
      assertThat(err.text()).contains("WARN").contains("queue \"" + name + "\": the sweep")
          .contains(dead);
      assertThat(err.count("the sweep of entries in flight")).as("warned once").isEqualTo(1);
    }
  }

  /** Scripts that failed, by INFO errorstats' WRONGTYPE count. */
  private static long sweepsRefused(Resp r) {
    return String.valueOf(r.call("INFO", "errorstats")).lines()
        .filter(l -> l.startsWith("errorstat_WRONGTYPE:") || l.startsWith("errorstat_ERR:"))
        .mapToLong(l -> Long.parseLong(l.replaceAll(".*count=(\\d+).*", "$1"))).sum();
  }

  @Test
  void anErrorInOneTickDoesNotEndTheGroupBeat() throws Exception {
    java.util.concurrent.ScheduledExecutorService scheduler =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    SharedClient shared = new SharedClients().acquire(
        RedisConnStr.parse(redis.server().connStr()), "beatgroup", SharedClient.StartPolicy.GITEA);
    java.util.concurrent.atomic.AtomicBoolean threw = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicInteger ticks = new java.util.concurrent.atomic.AtomicInteger();
    BeatGroup.Member faulty = member(() -> {
      if (threw.compareAndSet(false, true)) {
        throw new AssertionError("an Error from a member, once");
      }
    }, ticks);
    java.util.concurrent.atomic.AtomicInteger otherTicks =
        new java.util.concurrent.atomic.AtomicInteger();
    BeatGroup.Member other = member(() -> { }, otherTicks);
    BeatGroup g = BeatGroup.join(shared, scheduler, faulty);
    BeatGroup.join(shared, scheduler, other);
    try {
      await().atMost(WAIT).until(threw::get);
      int after = otherTicks.get();
      // a periodic task that throws is never run again: the Error must not get that far
      await().atMost(WAIT).until(() -> otherTicks.get() >= after + 3);
    } finally {
      g.leave(faulty);
      g.leave(other);
      scheduler.shutdownNow();
      shared.release();
    }
  }

  private static BeatGroup.Member member(Runnable onBusy, java.util.concurrent.atomic.AtomicInteger ticks) {
    return new BeatGroup.Member() {
      @Override
      public long beatMs() {
        return 50;
      }

      @Override
      public boolean busy() {
        onBusy.run();
        return false;
      }

      @Override
      public byte[] busyKey() {
        return RedisKeys.b("beatgroup-test:busy");
      }

      @Override
      public void tick(boolean othersBusy) {
        ticks.incrementAndGet();
      }
    };
  }
}
