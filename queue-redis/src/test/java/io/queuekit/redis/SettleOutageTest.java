package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.ItemEvent;
import io.queuekit.QueueConfig;
import io.queuekit.QueueListener;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.conformance.redis.RedisServer;
import io.queuekit.conformance.redis.Resp;
import io.queuekit.conformance.redis.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acks of a handled batch fail because Redis is down; they must be retried until they land
 * (or the deliveries are fenced), not dropped: a dropped ack leaves the items in flight, and the
 * consumer's next sweep hands them back to be handled a second time.
 */
class SettleOutageTest {
  @TempDir Path data;

  @Test
  void acksThatFailDuringAnOutageAreRetriedAndNothingIsHandledTwice() throws Exception {
    try (RedisServer server = RedisServer.builder().appendOnly().build().start()) {
      QueueSettings s = QueueSettings.builder().type("redis").connStr(server.connStr())
          .consumerTimeout(Duration.ofSeconds(30)).batchLength(5).maxWorkers(1)
          .retryDelay(Duration.ZERO).build();
      Map<Integer, AtomicInteger> handled = new ConcurrentHashMap<>();
      CountDownLatch inHandler = new CountDownLatch(1);
      CountDownLatch serverDown = new CountDownLatch(1);
      try (QueueManager m = QueueManager.builder().dataPath(data).config(QueueConfig.of(s))
          .claimWait(Duration.ofMillis(500)).build()) {
        WorkerPoolQueue<Integer> q = m.createSimple(Queues.uniqueName("settleoutage"),
            Integer.class, batch -> {
              inHandler.countDown();
              if (!serverDown.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never took Redis down");
              }
              batch.forEach(i ->
                  handled.computeIfAbsent(i, k -> new AtomicInteger()).incrementAndGet());
              return List.of();
            });
        q.pause();
        for (int i = 0; i < 5; i++) {
          q.push(i);
        }
        q.resume();
        assertThat(inHandler.await(60, TimeUnit.SECONDS)).isTrue();
        server.kill();
        serverDown.countDown(); // the handler returns now: its acks meet a dead server
        await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() == 5);
        server.restart();
        // flush reports an unreachable store rather than an empty queue: wait for the reconnect
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
            .until(() -> q.flush(Duration.ofSeconds(10)));
        assertThat(handled).hasSize(5);
        assertThat(handled.values()).as("each item handled once: no ack was dropped")
            .allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        assertThat(q.stats().inFlight()).isZero();
      }
    }
  }

  /**
   * The ack ran on the server but its reply was lost with the connection: the retried ack finds
   * the deliveries no longer in flight. That is the one outcome a lost reply leaves, so each is
   * reported stale (once, to the listener) and nothing comes back to be handled a second time.
   */
  @Test
  void anAckWhoseReplyWasLostIsRetriedFoundStaleAndNothingIsHandledTwice() throws Exception {
    try (RedisServer server = RedisServer.startPlain();
        TcpProxy proxy = new TcpProxy(server.port());
        Resp admin = server.client()) {
      QueueSettings s = QueueSettings.builder().type("redis")
          .connStr("redis://127.0.0.1:" + proxy.port() + "/0")
          .consumerTimeout(Duration.ofSeconds(60)).batchLength(3).maxWorkers(1)
          .retryDelay(Duration.ZERO).build();
      Map<Integer, AtomicInteger> handled = new ConcurrentHashMap<>();
      Map<Integer, String> stale = new ConcurrentHashMap<>();
      CountDownLatch inHandler = new CountDownLatch(1);
      CountDownLatch armed = new CountDownLatch(1);
      String name = Queues.uniqueName("lostack");
      try (QueueManager m = QueueManager.builder().dataPath(data).config(QueueConfig.of(s))
          .claimWait(Duration.ofMillis(500)).build()) {
        WorkerPoolQueue<Integer> q = m.createSimple(name, Integer.class, batch -> {
          if (batch.contains(-1)) {
            handled.put(-1, new AtomicInteger(1));
            return List.of();
          }
          inHandler.countDown();
          if (!armed.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the test never armed the proxy");
          }
          batch.forEach(i ->
              handled.computeIfAbsent(i, k -> new AtomicInteger()).incrementAndGet());
          return List.of();
        });
        q.addListener(new QueueListener<Integer>() {
          @Override
          public void onStale(ItemEvent<Integer> e) {
            stale.merge(e.item().orElseThrow(), e.reason(), (a, b) -> a + "," + b);
          }
        });
        // one item handled first, so the server has the ack script cached: an EVALSHA it does
        // not know would be answered NOSCRIPT, and that reply, not the ack, would be lost
        q.push(-1);
        await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(30))
            .until(() -> handled.containsKey(-1) && q.stats().inFlight() == 0);
        handled.remove(-1);
        q.pause();
        for (int i = 0; i < 3; i++) {
          q.push(i);
        }
        q.resume();
        assertThat(inHandler.await(60, TimeUnit.SECONDS)).isTrue();
        List<String> inflight = admin.strings("KEYS", "{" + name + "_queue}:inflight:*");
        assertThat(inflight).as("the one consumer's in-flight hash").hasSize(1);
        assertThat(InFlight.count(admin, inflight.get(0))).isEqualTo(3);
        proxy.holdRepliesAfter(Scripts.Script.ACK.sha.getBytes(StandardCharsets.US_ASCII));
        armed.countDown(); // the handler returns now: its ack runs, its reply is held
        assertThat(proxy.awaitHeld(30)).isTrue();
        // the ack ran on the server: nothing is in flight any more
        await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(30))
            .until(() -> admin.integer("HLEN", inflight.get(0)) == 0);
        assertThat(admin.integer("CLIENT", "KILL", "ADDR", proxy.heldServerSideAddress()))
            .isEqualTo(1);

        await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(30))
            .until(() -> stale.size() == 3);
        assertThat(stale).as("each item reported stale once, by the retried ack")
            .containsOnlyKeys(0, 1, 2).allSatisfy((i, why) -> assertThat(why).isEqualTo("ack"));
        assertThat(q.flush(Duration.ofSeconds(30))).isTrue();
        assertThat(handled).containsOnlyKeys(0, 1, 2);
        assertThat(handled.values()).as("each item handled once: the lost reply redelivered none")
            .allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        assertThat(q.stats().inFlight()).isZero();
        assertThat(q.stats().ready()).isZero();
      }
    }
  }
}
