package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
import io.queuekit.conformance.redis.TcpProxy;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A claim runs on the server but its reply never reaches the consumer: the connection is killed
 * ({@code CLIENT KILL}) while the reply is held back by a proxy. The items the script moved to
 * this consumer's in-flight hash are held by no delivery; the consumer must hand them back (no
 * count change) and deliver them, well before any reaper would.
 */
class LostReplyTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  @Test
  void itemsOfAClaimWhoseReplyWasLostAreDeliveredAgain() throws Exception {
    try (TcpProxy proxy = new TcpProxy(redis.server().port());
        Queues queues = new Queues("redis://127.0.0.1:" + proxy.port() + "/0");
        Resp admin = redis.server().client()) {
      String name = Queues.uniqueName("lostreply");
      // CONSUMER_TIMEOUT long: recovery by a reaper would take 60 s and add a recovery count
      RedisQueue q = queues.open(name, false,
          queues.settings().consumerTimeout(Duration.ofSeconds(60)).build());
      q.pushAll(List.of(RedisQueueTest.item("a"), RedisQueueTest.item("b")), Duration.ofSeconds(5));
      List<Delivery> first = q.claim(1, Duration.ofSeconds(5));
      assertThat(RedisQueueTest.payloads(first)).containsExactly("a");

      proxy.holdRepliesAfter(Scripts.Script.CLAIM.sha.getBytes(StandardCharsets.US_ASCII));
      CompletableFuture<List<Delivery>> claim =
          CompletableFuture.supplyAsync(() -> q.claim(1, Duration.ofSeconds(30)));
      assertThat(proxy.awaitHeld(30)).isTrue();
      String inflight = "{" + name + "_queue}:inflight:" + q.consumerId();
      // the claim ran: b is in flight under this consumer, and its reply is lost with the kill
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> admin.integer("HLEN", inflight) == 2);
      assertThat(admin.integer("CLIENT", "KILL", "ADDR", proxy.heldServerSideAddress()))
          .isEqualTo(1);

      List<Delivery> again = claim.get(30, TimeUnit.SECONDS);
      assertThat(RedisQueueTest.payloads(again)).containsExactly("b");
      assertThat(again.get(0).deliveryCount()).isZero();
      assertThat(again.get(0).recoveryCount()).isZero();
      assertThat(q.ack(again)).containsExactly(Outcome.DONE);
      assertThat(q.ack(first)).containsExactly(Outcome.DONE);
      assertThat(admin.integer("HLEN", inflight)).isZero();
      assertThat(q.stats().inFlight()).isZero();
    }
  }

  /**
   * The same for a claim sent behind the wake waiter's short BLPOP (items trickling in): the
   * blocking connection is the one killed, with the claim's reply held back.
   */
  @Test
  void itemsOfATrickleClaimWhoseReplyWasLostAreDeliveredAgain() throws Exception {
    try (TcpProxy proxy = new TcpProxy(redis.server().port());
        Queues queues = new Queues("redis://127.0.0.1:" + proxy.port() + "/0");
        Resp admin = redis.server().client()) {
      String name = Queues.uniqueName("lostbehind");
      RedisQueue q = queues.open(name, false,
          queues.settings().consumerTimeout(Duration.ofSeconds(60)).build());
      q.push(RedisQueueTest.item("a"), Duration.ofSeconds(5));
      // took the whole list: the next claim rides behind the BLPOP
      List<Delivery> first = q.claim(10, Duration.ZERO);
      assertThat(RedisQueueTest.payloads(first)).containsExactly("a");

      proxy.holdRepliesAfter(Scripts.Script.CLAIM.sha.getBytes(StandardCharsets.US_ASCII));
      CompletableFuture<List<Delivery>> claim =
          CompletableFuture.supplyAsync(() -> q.claim(10, Duration.ofSeconds(30)));
      assertThat(proxy.awaitHeld(30)).isTrue();
      q.push(RedisQueueTest.item("b"), Duration.ofSeconds(5));
      String inflight = "{" + name + "_queue}:inflight:" + q.consumerId();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> admin.integer("HLEN", inflight) == 2);
      assertThat(admin.integer("CLIENT", "KILL", "ADDR", proxy.heldServerSideAddress()))
          .isEqualTo(1);

      List<Delivery> again = claim.get(30, TimeUnit.SECONDS);
      assertThat(RedisQueueTest.payloads(again)).containsExactly("b");
      assertThat(again.get(0).deliveryCount()).isZero();
      assertThat(again.get(0).recoveryCount()).isZero();
      assertThat(q.ack(again)).containsExactly(Outcome.DONE);
      assertThat(q.ack(first)).containsExactly(Outcome.DONE);
      assertThat(admin.integer("HLEN", inflight)).isZero();
      assertThat(q.stats().inFlight()).isZero();
    }
  }
}
