package io.queuekit.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuekit.DeadLetterEntry;
import io.queuekit.PermanentFailure;
import io.queuekit.QueueConfig;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.jmx.QueueMBeans;
import io.queuekit.jmx.QueueMXBean;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue MXBeans of {@code QueueManager.builder().jmx(server)}, used as an operator's console
 * would: through an RMI JMX connector on loopback (its own registry on a free port), over a real
 * LevelDB queue. The server is a fresh one, not the platform's, so tests do not see each other.
 */
class QueueMBeansTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** Binds every RMI socket of the test to loopback only. */
  private static final RMIServerSocketFactory LOOPBACK =
      port -> new ServerSocket(port, 0, InetAddress.getLoopbackAddress());

  @TempDir Path data;
  private final MBeanServer server = MBeanServerFactory.newMBeanServer();
  private Registry registry;
  private JMXConnectorServer connectorServer;
  private JMXConnector connector;
  private MBeanServerConnection remote;

  @BeforeEach
  void connect() throws IOException {
    // the stubs the registry hands out must name loopback, whatever this host calls itself
    System.setProperty("java.rmi.server.hostname", InetAddress.getLoopbackAddress().getHostAddress());
    int port;
    try (ServerSocket probe = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    registry = LocateRegistry.createRegistry(port, null, LOOPBACK);
    JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
    connectorServer = JMXConnectorServerFactory.newJMXConnectorServer(url,
        Map.of(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, LOOPBACK), server);
    connectorServer.start();
    connector = JMXConnectorFactory.connect(connectorServer.getAddress());
    remote = connector.getMBeanServerConnection();
  }

  @AfterEach
  void disconnect() throws IOException {
    try {
      connector.close();
    } finally {
      try {
        connectorServer.stop();
      } finally {
        UnicastRemoteObject.unexportObject(registry, true);
      }
    }
  }

  private QueueManager manager(Path dir, String type) {
    return QueueManager.builder().dataPath(dir)
        .config(QueueConfig.of(QueueSettings.builder().type(type).retryDelay(Duration.ZERO).build()))
        .claimWait(Duration.ofMillis(100)).jmx(server).build();
  }

  private static long deadId(WorkerPoolQueue<String> q, String item) {
    List<DeadLetterEntry<String>> dead = q.deadLetters(0, 100);
    return dead.stream().filter(d -> d.item().orElseThrow().equals(item)).findFirst().orElseThrow().id();
  }

  @Test
  void aConsoleReadsStatsAndRunsEveryOperationThroughTheConnector() throws Exception {
    AtomicBoolean failing = new AtomicBoolean(true);
    List<String> handled = java.util.Collections.synchronizedList(new ArrayList<>());
    try (QueueManager m = manager(data, "level")) {
      WorkerPoolQueue<String> q = m.createSimple("mail", String.class, batch -> {
        List<Object> out = new ArrayList<>();
        for (String s : batch) {
          if (s.startsWith("bad-") && failing.get()) {
            out.add(new PermanentFailure(s, "bad"));
          } else {
            handled.add(s);
          }
        }
        return out;
      });
      ObjectName name = new ObjectName("io.queuekit:type=Queue,name=mail");
      assertThat(remote.isRegistered(name)).isTrue();
      QueueMXBean mx = JMX.newMXBeanProxy(remote, name, QueueMXBean.class);
      assertThat(remote.getAttribute(name, "Type")).as("plain JDK types over the wire").isEqualTo("level");

      mx.pause();
      assertThat(q.paused()).isTrue();
      for (String s : List.of("a", "b", "bad-1", "bad-2", "bad-3")) {
        q.push(s);
      }
      await().atMost(WAIT).until(() -> (Long) remote.getAttribute(name, "Ready") == 5);
      assertThat((Boolean) remote.getAttribute(name, "Paused")).isTrue();
      assertThat((Boolean) remote.getAttribute(name, "StoreReachable")).isTrue();
      assertThat(mx.getOldestWaitingAgeSeconds()).isGreaterThanOrEqualTo(0);

      mx.setMaxWorkers(3);
      assertThat(q.maxWorkers()).isEqualTo(3);
      assertThat(mx.getMaxWorkers()).isEqualTo(3);
      assertThatThrownBy(() -> mx.setMaxWorkers(0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("queue \"mail\"").hasMessageContaining("MAX_WORKERS=0");

      mx.resume();
      assertThat(q.paused()).isFalse();
      assertThat(mx.flush(WAIT.toMillis())).isTrue();
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(mx.getHandled()).isEqualTo(2);
        assertThat(mx.getDeadLettered()).isEqualTo(3);
        assertThat(mx.getDead()).isEqualTo(3);
      });

      failing.set(false);
      assertThat(mx.replayDeadLetter(deadId(q, "bad-1"))).isEqualTo(1);
      assertThat(mx.flush(WAIT.toMillis())).isTrue();
      await().atMost(WAIT).until(() -> handled.contains("bad-1"));
      assertThat(mx.purgeDeadLetter(deadId(q, "bad-2"))).isEqualTo(1);
      assertThat(mx.replayAllDeadLetters()).isEqualTo(1);
      assertThat(mx.flush(WAIT.toMillis())).isTrue();
      await().atMost(WAIT).until(() -> handled.contains("bad-3"));
      assertThat(handled).doesNotContain("bad-2");
      await().atMost(WAIT).until(() -> mx.getDead() == 0);

      failing.set(true);
      q.push("bad-4");
      assertThat(mx.flush(WAIT.toMillis())).isTrue();
      await().atMost(WAIT).until(() -> mx.getDead() == 1);
      assertThat(mx.purgeAllDeadLetters()).isEqualTo(1);
      assertThat(q.deadLetters(0, 10)).isEmpty();

      mx.pause();
      q.push("x");
      q.push("y");
      // a claim already waiting when the pause came may still take what is pushed next (it is
      // held, in flight, until resume): removeAll removes what waits (it failed once on 2 vs 0)
      await().atMost(WAIT).until(() -> q.stats().ready() + q.stats().inFlight() == 2);
      long waiting = q.len();
      assertThat(mx.removeAll()).isEqualTo(waiting);
      assertThat(q.len()).isZero();
      assertThatThrownBy(() -> mx.flush(-1)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("queue \"mail\"");

      q.close();
      assertThat(remote.isRegistered(name)).as("unregistered when the queue closes").isFalse();
      m.createSimple("other", String.class, batch -> List.of());
      assertThat(remote.queryNames(new ObjectName("io.queuekit:*"), null)).hasSize(1);
    }
    assertThat(remote.queryNames(new ObjectName("io.queuekit:*"), null))
        .as("every MXBean unregistered when the manager closes").isEmpty();
  }

  @Test
  void thisProcesssCountersStayReadableWhileTheStoreIsDown() throws Exception {
    try (io.queuekit.conformance.redis.RedisServer redis =
            io.queuekit.conformance.redis.RedisServer.startPlain();
        QueueManager m = QueueManager.builder().dataPath(data).claimWait(Duration.ofMillis(100))
            .config(QueueConfig.of(QueueSettings.builder().type("redis").connStr(redis.connStr())
                .retryDelay(Duration.ZERO).build()))
            .jmx(server).build()) {
      WorkerPoolQueue<String> q = m.createSimple("jobs", String.class, batch -> List.of());
      ObjectName name = new ObjectName("io.queuekit:type=Queue,name=jobs");
      q.push("a");
      assertThat(q.flush(WAIT)).isTrue();
      await().atMost(WAIT).until(() -> (Long) remote.getAttribute(name, "Handled") == 1);

      redis.kill();
      await().atMost(WAIT).until(() -> !(Boolean) remote.getAttribute(name, "StoreReachable"));
      assertThat((Long) remote.getAttribute(name, "Handled"))
          .as("this process's own count, known without the store").isEqualTo(1);
      assertThat((Long) remote.getAttribute(name, "Unhandled")).isZero();
      assertThat((Long) remote.getAttribute(name, "DeadLettered")).isZero();
      assertThat((Long) remote.getAttribute(name, "Recovered")).isZero();
      assertThatThrownBy(() -> remote.getAttribute(name, "Ready"))
          .as("a store count is not made up while the store is down")
          .hasRootCauseInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void aNameAnotherManagerRegisteredFailsTheCreationAndLeavesItsMXBeanAlone() throws Exception {
    try (QueueManager first = manager(data.resolve("first"), "channel");
        QueueManager second = manager(data.resolve("second"), "channel")) {
      first.createSimple("shared", String.class, batch -> List.of());
      assertThatThrownBy(() -> second.createSimple("shared", String.class, batch -> List.of()))
          .isInstanceOf(QueueConfigException.class)
          .hasMessageContaining("io.queuekit:type=Queue,name=shared is already registered");
      assertThat(second.queue("shared")).isEmpty();
      assertThat(JMX.newMXBeanProxy(remote, QueueMBeans.objectName("shared"), QueueMXBean.class)
          .getType()).as("the first manager's MXBean still answers").isEqualTo("channel");
    }
  }

  @Test
  void aNameWithCharactersObjectNamesReserveIsQuoted() throws Exception {
    assertThat(QueueMBeans.objectName("mail")).isEqualTo(new ObjectName("io.queuekit:type=Queue,name=mail"));
    ObjectName odd = QueueMBeans.objectName("a,b=c");
    assertThat(odd.getKeyProperty("name")).isEqualTo(ObjectName.quote("a,b=c"));
    assertThat(ObjectName.unquote(odd.getKeyProperty("name"))).isEqualTo("a,b=c");
  }
}
