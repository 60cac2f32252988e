package io.queuekit.redis;

import static io.queuekit.redis.Queues.claimAll;
import static io.queuekit.redis.Queues.key;
import static io.queuekit.redis.RedisQueueTest.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.PushResult;
import io.queuekit.QueueFullException;
import io.queuekit.QueueUnavailableException;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
import io.queuekit.conformance.redis.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A simple queue's push of several ready items as one transaction ({@link PushTransaction}):
 * {@code MULTI}, an {@code HSET} of the pack, the bookkeeping script by {@code EVALSHA}, {@code
 * EXEC}, in one write. It is what the client sends; past {@code LENGTH} the tail it pushed is taken back out in the same
 * transaction; a killed transaction connection is replaced and the push still lands. (A key of
 * another type: {@code ScriptFaultsTest}.)
 */
class PushTransactionTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension
  final Queues queues = Queues.on(redis);
  private final Resp admin = queues.admin();


  @Test
  void aPushOfSeveralReadyItemsIsOneTransactionAndASingleOneTheScript() throws Exception {
    String name = Queues.uniqueName("txsent");
    RedisQueue q = queues.open(name, false);
    try (RedisIdleCostTest.Monitor mon = new RedisIdleCostTest.Monitor(redis.server().port())) {
      q.pushAll(List.of(item("a"), item("b"), item("c")), WAIT);
      q.push(item("d"), WAIT);
      List<String> sent = new ArrayList<>();
      for (String l : mon.allThrough(admin)) {
        String cmd = l.substring(l.indexOf("] \"") + 3, l.indexOf('"', l.indexOf("] \"") + 3));
        if (!cmd.equalsIgnoreCase("ping")) {
          sent.add(cmd.toLowerCase() + (cmd.equalsIgnoreCase("evalsha")
              && l.contains(Scripts.Script.PUSH.sha) ? ":push" : ""));
        }
      }
      assertThat(sent).contains("multi", "hset", "evalsha", "exec");
      assertThat(sent.stream().filter("evalsha:push"::equals).count())
          .as("push scripts: the single push's only").isEqualTo(1);
    }
    assertThat(claimAll(q)).containsExactly("a", "b", "c", "d");
  }

  @Test
  void aTransactionGoesOutInOneWriteSoTheServerReadsItOnce() {
    String name = Queues.uniqueName("txwrite");
    RedisQueue q = queues.open(name, false);
    // every transaction connection opened first: a connection's handshake is reads too
    for (int i = 0; i < SharedClient.TRANSACTION_CONNECTIONS; i++) {
      q.pushAll(List.of(item("warm"), item("up")), WAIT);
    }
    int pushes = 20;
    long before = readsProcessed();
    for (int i = 0; i < pushes; i++) {
      q.pushAll(List.of(item("a" + i), item("b" + i), item("c" + i)), WAIT);
    }
    // MULTI, HSET, EVALSHA and EXEC sent one by one would often reach the server as several reads
    assertThat(readsProcessed() - before)
        .as("reads the server made for %d pushes (one more: the INFO asking)", pushes)
        .isLessThanOrEqualTo(pushes + 2);
    assertThat(q.len()).isEqualTo(2 * SharedClient.TRANSACTION_CONNECTIONS + 3 * pushes);
  }

  @Test
  void pushesTakeTurnsOnTwoTransactionConnections() {
    // one connection holds one transaction at a time: with one, producers queued for each other
    String name = Queues.uniqueName("txturns");
    RedisQueue q = queues.open(name, false);
    for (int i = 0; i < 4; i++) {
      q.pushAll(List.of(item("a" + i), item("b" + i)), WAIT);
    }
    // a pack's id is its connection's prefix, ':', a count
    List<String> prefixes = new ArrayList<>();
    for (String id : admin.strings("HKEYS", key(name, "packs"))) {
      prefixes.add(id.substring(0, id.indexOf(':')));
    }
    assertThat(prefixes).hasSize(4);
    assertThat(prefixes.stream().distinct().count())
        .as("connections the packs came by").isEqualTo(SharedClient.TRANSACTION_CONNECTIONS);
    assertThat(claimAll(q)).hasSize(8);
  }

  private long readsProcessed() {
    return ScriptBadStateTest.info(admin, "stats", "total_reads_processed");
  }

  @Test
  void pastLengthTheTailItPushedIsTakenBackOutInTheSameTransaction() {
    String name = Queues.uniqueName("txfull");
    RedisQueue q = queues.open(name, false, queues.settings().length(3).build());
    q.push(item("a"), WAIT);
    assertThatThrownBy(() -> q.pushAll(List.of(item("b"), item("c"), item("d"), item("e")),
        Duration.ofMillis(200)))
        .isInstanceOfSatisfying(QueueFullException.class, e -> assertThat(e.results())
            .containsExactly(PushResult.ADDED, PushResult.ADDED));
    List<String> ready = new ArrayList<>();
    for (String entry : admin.strings("LRANGE", key(name, "ready"), "0", "-1")) {
      ready.add(entry.substring(entry.lastIndexOf(':') + 1));
    }
    assertThat(ready).containsExactly("a", "b", "c");
    assertThat(q.stats().ready()).isEqualTo(3);
  }

  /**
   * The transaction connection opens at the first push of several items; a Redis unreachable
   * then is an outage like any other: the push is retried until its timeout, then a {@link
   * QueueUnavailableException} naming the step, not a client library's connection error.
   */
  @Test
  void aTransactionConnectionThatCannotBeOpenedIsAnOutage() {
    String name = Queues.uniqueName("txdown");
    TcpProxy proxy = new TcpProxy(redis.server().port());
    try (Queues through = new Queues("redis://127.0.0.1:" + proxy.port() + "/0")) {
      RedisQueue q = through.open(name, false);
      q.push(item("a"), WAIT);
      proxy.close();
      assertThatThrownBy(() -> q.pushAll(List.of(item("b"), item("c")), Duration.ofMillis(300)))
          .isInstanceOf(QueueUnavailableException.class).hasMessageContaining("pushed");
    } finally {
      proxy.close();
    }
    assertThat(admin.integer("LLEN", key(name, "ready"))).isEqualTo(1);
  }

  @Test
  void aKilledTransactionConnectionIsReplacedAndThePushLands() {
    String name = Queues.uniqueName("txkill");
    RedisQueue q = queues.open(name, false);
    q.pushAll(List.of(item("a"), item("b")), WAIT);
    // the transaction connection is the one whose last command was EXEC
    String id = null;
    for (String line : String.valueOf(admin.call("CLIENT", "LIST")).split("\n")) {
      if (line.contains(" cmd=exec")) {
        id = line.substring(3, line.indexOf(' '));
      }
    }
    assertThat(id).as("the transaction connection in CLIENT LIST").isNotNull();
    assertThat(admin.integer("CLIENT", "KILL", "ID", id)).isEqualTo(1);

    q.pushAll(List.of(item("c"), item("d")), WAIT);
    assertThat(claimAll(q)).containsExactly("a", "b", "c", "d");
  }
}
