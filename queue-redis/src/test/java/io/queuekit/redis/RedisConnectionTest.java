package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.PushResult;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueSettings;
import io.queuekit.QueueUnavailableException;
import io.queuekit.conformance.CapturedErr;
import io.queuekit.conformance.MutableClock;
import io.queuekit.conformance.redis.RedisServer;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Connecting: every CONN_STR form that needs a server, and the errors of the bad ones. */
class RedisConnectionTest {
  private static final String PASSWORD = "hunter2-secret";
  private static Path socketDir;
  private static RedisServer server;
  private static RedisServer tls;
  private static final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor();
  private static final RedisQueueFactory factory =
      RedisQueueFactory.withStartRetries(2, Duration.ofMillis(50));

  @BeforeAll
  static void start() throws IOException {
    socketDir = Files.createTempDirectory("qk-sock");
    server = RedisServer.builder().password(PASSWORD)
        .arg("unixsocket", socketDir.resolve("redis.sock").toString())
        .arg("unixsocketperm", "700")
        .arg("maxmemory-policy", "allkeys-lru").build().start();
    tls = RedisServer.builder().tls().build().start();
  }

  @AfterAll
  static void stop() throws IOException {
    server.close();
    tls.close();
    scheduler.shutdownNow();
    Files.deleteIfExists(socketDir.resolve("redis.sock"));
    Files.deleteIfExists(socketDir);
  }

  private static BaseQueue open(String name, String connStr) {
    QueueSettings s = QueueSettings.builder().type("redis").connStr(connStr).build();
    return factory.create("redis", new BaseQueueConfig(name, s, false,
        MutableClock.atEpoch2026(), scheduler, Path.of("target")));
  }

  private static void roundTrip(BaseQueue q) {
    assertThat(q.push(RedisQueueTest.item("ping"), Duration.ofSeconds(5)))
        .isEqualTo(PushResult.ADDED);
    assertThat(RedisQueueTest.payloads(q.claim(1, Duration.ofSeconds(5))))
        .containsExactly("ping");
  }

  @Test
  void oldKeyValueFormWithPassword() {
    String name = Queues.uniqueName("old");
    try (BaseQueue q = open(name, "network=tcp,addr=127.0.0.1:"
        + server.port() + ",password=" + PASSWORD + ",db=2,pool_size=10")) {
      roundTrip(q);
    }
    try (io.queuekit.conformance.redis.Resp r = server.client()) {
      r.call("SELECT", "2");
      // the queue lives in database 2, as the old form's db=2 says
      assertThat(r.call("HGET", "{" + name + "_queue}:meta", "version"))
          .isEqualTo(Integer.toString(RedisLayout.LAYOUT_VERSION));
    }
  }

  @Test
  void unixSocket() {
    try (BaseQueue q = open(Queues.uniqueName("sock"), "redis+socket://:" + PASSWORD + "@"
        + socketDir.resolve("redis.sock") + "?db=1")) {
      roundTrip(q);
    }
  }

  @Test
  void evictingMaxmemoryPolicyIsLoggedAsAnError() {
    // a new client (different db) so the check runs now
    String log = CapturedErr.during(() -> {
      try (BaseQueue q = open(Queues.uniqueName("evict"), "redis://:" + PASSWORD + "@127.0.0.1:"
          + server.port() + "/5")) {
        roundTrip(q);
      }
    });
    assertThat(log).contains("ERROR")
        .contains("maxmemory-policy allkeys-lru").contains("noeviction")
        .doesNotContain(PASSWORD);
  }

  @Test
  void wrongPasswordSaysAuthenticationFailedWithThePasswordMasked() {
    String name = Queues.uniqueName("auth");
    assertThatThrownBy(() -> open(name, "redis://:wrong-pass@127.0.0.1:" + server.port() + "/0"))
        .isInstanceOf(QueueUnavailableException.class)
        .hasMessageContaining("queue \"" + name + "\"")
        .hasMessageContaining("authentication failed")
        .hasMessageContaining("127.0.0.1:" + server.port())
        .hasMessageNotContaining("wrong-pass");
  }

  /** Not an outage: the server's databases are fixed, so it is refused at once, not retried. */
  @Test
  void aDatabaseTheServerDoesNotHaveIsAConfigurationError() {
    String name = Queues.uniqueName("nodb");
    String log = CapturedErr.during(() -> assertThatThrownBy(() -> open(name,
        "redis://:" + PASSWORD + "@127.0.0.1:" + server.port() + "/99"))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("queue \"" + name + "\"")
        .hasMessageContaining("has no such database")
        .hasMessageContaining("127.0.0.1:" + server.port() + "/99")
        .hasMessageNotContaining(PASSWORD));
    // the missing database is a configuration error at once, never retried as "not ready" (a
    // retry for another cause, such as Lettuce's "RedisHandshakeHandler not registered" on a
    // loaded machine, is not this test's subject)
    assertThat(log.lines().filter(l -> l.contains("not ready")))
        .noneMatch(l -> l.contains("DB index") || l.contains("database"));
    assertThat(log).doesNotContain(PASSWORD);
  }

  @Test
  void unreachableHostNamesTheAddressAndTheCause() {
    int port = RedisServer.freePort();
    String name = Queues.uniqueName("down");
    assertThatThrownBy(() -> open(name, "redis://:s3cr3t@127.0.0.1:" + port + "/0"))
        .isInstanceOf(QueueUnavailableException.class)
        .hasMessageContaining("queue \"" + name + "\"")
        .hasMessageContaining("cannot reach Redis at redis://:****@127.0.0.1:" + port + "/0")
        .hasMessageContaining("after 2 attempt(s)")
        .hasMessageContaining("refused")
        .hasMessageNotContaining("s3cr3t");
  }

  @Test
  void tlsWithAnUntrustedCertificateFailsUnlessSkipverify() {
    String url = "rediss://127.0.0.1:" + tls.tlsPort() + "/0";
    assertThatThrownBy(() -> open(Queues.uniqueName("tls"), url))
        .isInstanceOf(QueueUnavailableException.class)
        .hasMessageContaining(url).hasMessageContaining("TLS handshake")
        .satisfies(e -> assertThat(SharedClient.rootMessage(e)).containsIgnoringCase("certif"));
    try (BaseQueue q = open(Queues.uniqueName("tls"), url + "?skipverify=true")) {
      roundTrip(q);
    }
  }

  @Test
  void sentinelAndMasterWithTheirOwnPasswords() {
    try (io.queuekit.conformance.redis.RedisSentinel s =
        io.queuekit.conformance.redis.RedisSentinel.start("master-pw", "sentinel-pw")) {
      String url = "redis+sentinel://:master-pw@127.0.0.1:" + s.port() + "/0?mastername="
          + io.queuekit.conformance.redis.RedisSentinel.MASTER;
      try (BaseQueue q = open(Queues.uniqueName("sentinel"), url + "&sentinelpassword=sentinel-pw")) {
        roundTrip(q);
      }
      assertThatThrownBy(() -> open(Queues.uniqueName("sentinel"), url))
          .isInstanceOf(QueueUnavailableException.class)
          .hasMessageNotContaining("master-pw");
    }
  }

  @Test
  void clusterWithADatabaseIsAConfigErrorNamingTheQueue() {
    assertThatThrownBy(() -> open("clustered", "redis+cluster://127.0.0.1:7000,127.0.0.1:7001/3"))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("queue \"clustered\"").hasMessageContaining("db 3");
  }
}
