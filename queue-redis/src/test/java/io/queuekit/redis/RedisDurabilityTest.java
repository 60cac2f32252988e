package io.queuekit.redis;

import static io.queuekit.redis.RedisQueueTest.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.Durability;
import io.queuekit.PushResult;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueSettings;
import io.queuekit.QueueUnavailableException;
import io.queuekit.conformance.redis.RedisCluster;
import io.queuekit.conformance.redis.RedisServer;
import io.queuekit.conformance.redis.Resp;
import io.queuekit.spi.Delivery;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code DURABILITY} on real servers: {@code replica} waits for a real replica and fails clearly
 * without one; {@code aof} is refused by a server without {@code WAITAOF}; a cluster is refused;
 * a server keeping nothing on disk is warned about at open.
 */
class RedisDurabilityTest {

  private static QueueSettings settings(String connStr, Durability d) {
    return QueueSettings.builder().type("redis").connStr(connStr).durability(d)
        .consumerTimeout(Duration.ofSeconds(3)).pushTimeout(Duration.ofSeconds(1)).build();
  }

  @Test
  void replicaWaitsForTheReplicaAndFailsClearlyWithoutOne() {
    try (RedisServer master = RedisServer.startPlain();
        RedisServer replica = RedisServer.startPlain();
        Queues queues = new Queues(master.connStr() + "?read_timeout=1s")) {
      replica.replicate(master);
      String name = Queues.uniqueName("durable");
      RedisQueue q = queues.open(name, false, settings(master.connStr() + "?read_timeout=1s",
          Durability.replicas(1)));
      assertThat(q.push(item("a"), Duration.ofSeconds(1))).isEqualTo(PushResult.ADDED);
      List<Delivery> held = q.claim(1, Duration.ofSeconds(1));
      assertThat(held).hasSize(1);

      replica.kill();
      assertThatThrownBy(() -> q.push(item("b"), Duration.ofSeconds(1)))
          .isInstanceOf(QueueUnavailableException.class)
          .hasMessageContaining("queue \"" + name + "\"")
          .hasMessageContaining("did not confirm 0 of 1 replica(s)")
          .hasMessageContaining("DURABILITY=replica")
          .hasMessageContaining("may be stored");
      // stored all the same: at-least-once, not at-most-once
      assertThat(q.len()).isEqualTo(1);
      // a settle waits too: unconfirmed, it fails and the delivery stays held for a retry
      assertThatThrownBy(() -> q.ack(held))
          .isInstanceOf(QueueUnavailableException.class)
          .hasMessageContaining("after ack");
    }
  }

  @Test
  void aofNeedsWaitaofAndAnAppendOnlyFile() {
    try (RedisServer aof = RedisServer.builder().appendOnly().build().start();
        Queues queues = new Queues(aof.connStr())) {
      String version;
      try (Resp r = aof.client()) {
        Matcher m = Pattern.compile("redis_version:(\\S+)").matcher(String.valueOf(
            r.call("INFO", "server")));
        assertThat(m.find()).isTrue();
        version = m.group(1);
      }
      String[] v = version.split("\\.");
      boolean hasWaitaof = Integer.parseInt(v[0]) > 7
          || Integer.parseInt(v[0]) == 7 && Integer.parseInt(v[1]) >= 2;
      String name = Queues.uniqueName("aof");
      if (!hasWaitaof) {
        // this machine's Redis (7.0) has no WAITAOF: the aof path itself is untested here
        assertThatThrownBy(() -> queues.open(name, false, settings(aof.connStr(),
            Durability.aof())))
            .isInstanceOf(QueueConfigException.class)
            .hasMessageContaining("queue \"" + name + "\"")
            .hasMessageContaining("DURABILITY=aof needs WAITAOF")
            .hasMessageContaining("version " + version);
        return;
      }
      RedisQueue q = queues.open(name, false, settings(aof.connStr(), Durability.aof()));
      assertThat(q.push(item("a"), Duration.ofSeconds(1))).isEqualTo(PushResult.ADDED);
      try (RedisServer plain = RedisServer.startPlain()) {
        assertThatThrownBy(() -> queues.open(name, false, settings(plain.connStr(),
            Durability.aof())))
            .isInstanceOf(QueueConfigException.class).hasMessageContaining("appendonly no");
      }
    }
  }

  @Test
  void clusterRefusesDurability() {
    String connStr = RedisCluster.shared().connStr();
    String name = Queues.uniqueName("clusterdurable");
    try (Queues queues = new Queues(connStr)) {
      assertThatThrownBy(() -> queues.open(name, false, settings(connStr, Durability.replicas(1))))
          .isInstanceOf(QueueConfigException.class)
          .hasMessageContaining("queue \"" + name + "\"")
          .hasMessageContaining("DURABILITY=replica is not supported with Redis Cluster");
    }
  }

  @Test
  void aServerKeepingNothingOnDiskIsWarnedAboutAtOpen() {
    try (RedisServer memoryOnly = RedisServer.startPlain();
        RedisServer appendOnly = RedisServer.builder().appendOnly().build().start()) {
      String warning = "keeps nothing on disk (appendonly no, no save points)";
      assertThat(openAndCapture(memoryOnly)).contains("WARN").contains(warning)
          .contains("127.0.0.1:" + memoryOnly.port());
      assertThat(openAndCapture(appendOnly)).doesNotContain(warning);
    }
  }

  @Test
  void aUserWithoutConfigIsToldOnceAndTheQueueWorks() {
    try (RedisServer server = RedisServer.builder().aclUser("worker", "worker-secret-pw").build()
        .start()) {
      try (Resp r = server.client()) {
        r.call("ACL", "SETUSER", "worker", "-config");
      }
      String log = openAndCapture(server,
          "redis://worker:worker-secret-pw@127.0.0.1:" + server.port() + "/0");
      assertThat(log).contains("INFO").contains("cannot read appendonly and save")
          .doesNotContain("keeps nothing on disk").doesNotContain("worker-secret-pw");
    }
  }

  /** Opens a queue on a server no client of this JVM has used yet, returning the log. */
  private static String openAndCapture(RedisServer server) {
    return openAndCapture(server, server.connStr());
  }

  private static String openAndCapture(RedisServer server, String connStr) {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (Queues queues = new Queues(connStr)) {
      RedisQueue q = queues.open(Queues.uniqueName("disk"), false);
      assertThat(q.push(item("a"), Duration.ofSeconds(1))).isEqualTo(PushResult.ADDED);
    } finally {
      System.setErr(err);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
