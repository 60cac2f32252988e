package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
import io.queuekit.conformance.redis.TcpProxy;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Review of layout 4: the client's read of a pack a claim took as it is ({@code HGET}) fails on a
 * connection blip. claim() waits an outage out until its deadline (ClaimLoop.claim catches
 * QueueUnavailableException there), so a blip on the pack's read must not fail the claim either,
 * whichever path claimed: here the trickle path (a claim pipelined behind the wake BLPOP, taken
 * after a claim that emptied the ready list).
 */
class PackReadOutageTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  @Test
  void aBlipOnThePacksReadIsWaitedOutOnTheTricklePathToo() throws Exception {
    try (TcpProxy proxy = new TcpProxy(redis.server().port());
        Queues queues = new Queues("redis://127.0.0.1:" + proxy.port() + "/0");
        Queues direct = new Queues(redis.server().connStr());
        Resp admin = redis.server().client()) {
      String name = Queues.uniqueName("packblip");
      RedisQueue q = queues.open(name, false,
          queues.settings().consumerTimeout(Duration.ofSeconds(60)).build());
      RedisQueue producer = direct.open(name, false,
          direct.settings().consumerTimeout(Duration.ofSeconds(60)).build());
      producer.pushAll(List.of(RedisQueueTest.item("a"), RedisQueueTest.item("b")),
          Duration.ofSeconds(5));
      // one pack, the whole list: taken as it is, and the next claim goes behind the wake BLPOP
      List<Delivery> first = q.claim(2, Duration.ofSeconds(5));
      assertThat(RedisQueueTest.payloads(first)).containsExactly("a", "b");
      assertThat(q.ack(first)).containsOnly(Outcome.DONE);

      proxy.holdRepliesAfter("\r\nHGET\r\n".getBytes(StandardCharsets.US_ASCII));
      CompletableFuture<List<Delivery>> claim =
          CompletableFuture.supplyAsync(() -> q.claim(2, Duration.ofSeconds(30)));
      // the claim waits behind the wake list's BLPOP before the pack it will take is pushed
      await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
          .until(() -> String.valueOf(admin.call("CLIENT", "LIST")).contains("cmd=blpop"));
      producer.pushAll(List.of(RedisQueueTest.item("c"), RedisQueueTest.item("d")),
          Duration.ofSeconds(5));
      assertThat(proxy.awaitHeld(30)).isTrue();
      assertThat(admin.integer("CLIENT", "KILL", "ADDR", proxy.heldServerSideAddress()))
          .isEqualTo(1);

      List<Delivery> got;
      try {
        got = claim.get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw new AssertionError("claim() failed on a blip of the pack's read instead of "
            + "waiting it out: " + e.getCause(), e.getCause());
      }
      assertThat(RedisQueueTest.payloads(got)).containsExactly("c", "d");
      assertThat(q.ack(got)).containsOnly(Outcome.DONE);
    }
  }

  /** Control: the same blip on the plain claim path (no claim before) is waited out. */
  @Test
  void controlABlipOnThePacksReadIsWaitedOutOnThePlainClaimPath() throws Exception {
    try (TcpProxy proxy = new TcpProxy(redis.server().port());
        Queues queues = new Queues("redis://127.0.0.1:" + proxy.port() + "/0");
        Queues direct = new Queues(redis.server().connStr());
        Resp admin = redis.server().client()) {
      String name = Queues.uniqueName("packblipctl");
      RedisQueue q = queues.open(name, false,
          queues.settings().consumerTimeout(Duration.ofSeconds(60)).build());
      RedisQueue producer = direct.open(name, false,
          direct.settings().consumerTimeout(Duration.ofSeconds(60)).build());
      producer.pushAll(List.of(RedisQueueTest.item("c"), RedisQueueTest.item("d")),
          Duration.ofSeconds(5));
      proxy.holdRepliesAfter("\r\nHGET\r\n".getBytes(StandardCharsets.US_ASCII));
      CompletableFuture<List<Delivery>> claim =
          CompletableFuture.supplyAsync(() -> q.claim(2, Duration.ofSeconds(30)));
      assertThat(proxy.awaitHeld(30)).isTrue();
      assertThat(admin.integer("CLIENT", "KILL", "ADDR", proxy.heldServerSideAddress()))
          .isEqualTo(1);
      List<Delivery> got = claim.get(30, TimeUnit.SECONDS);
      assertThat(RedisQueueTest.payloads(got)).containsExactly("c", "d");
      assertThat(got).allSatisfy(d -> assertThat(d.recoveryCount()).isZero());
      assertThat(q.ack(got)).containsOnly(Outcome.DONE);
    }
  }
}
