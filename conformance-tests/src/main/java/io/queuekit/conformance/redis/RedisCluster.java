package io.queuekit.conformance.redis;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real 3-master Redis Cluster on 127.0.0.1 (no replicas, no persistence), one per test JVM,
 * shared by every cluster test and stopped by a shutdown hook. Bus ports are explicit ({@code
 * --cluster-port}): the default, port + 10000, is invalid for ports above 55535.
 *
 * <p>Each node is a {@link RedisServer} (the one redis-server launcher of the tests) with the
 * cluster options added.
 *
 * <p>Forming takes about 2–4 s (Redis waits 2 s before a new master reports {@code ok}).
 *
 * <p><b>Thread-safety:</b> {@link #shared()} is synchronized.
 */
public final class RedisCluster {
  private static RedisCluster shared;

  private final List<RedisServer> nodes = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();

  private RedisCluster() {}

  /** The JVM's cluster, started on first use. */
  public static synchronized RedisCluster shared() {
    if (shared == null) {
      RedisCluster c = new RedisCluster();
      Runtime.getRuntime().addShutdownHook(new Thread(c::stop, "queuekit-cluster-stop"));
      try {
        c.start();
      } catch (RuntimeException e) {
        c.stop();
        throw e;
      }
      shared = c;
    }
    return shared;
  }

  /** The client ports of the three masters. */
  public List<Integer> ports() {
    return List.copyOf(ports);
  }

  /** {@code redis+cluster://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3}. */
  public String connStr() {
    StringBuilder sb = new StringBuilder("redis+cluster://");
    for (int i = 0; i < ports.size(); i++) {
      sb.append(i == 0 ? "" : ",").append("127.0.0.1:").append(ports.get(i));
    }
    return sb.toString();
  }

  private void start() {
    String server = RedisServer.binary();
    List<String> create = new ArrayList<>(List.of(cli(server), "--cluster", "create"));
    for (int i = 0; i < 3; i++) {
      // nodes.conf is relative: redis-server resolves it in the node's own --dir
      RedisServer node = RedisServer.builder().arg("cluster-enabled", "yes")
          .arg("cluster-port", Integer.toString(RedisServer.freePort()))
          .arg("cluster-config-file", "nodes.conf").arg("cluster-node-timeout", "2000")
          .build().start();
      nodes.add(node);
      ports.add(node.port());
      create.add("127.0.0.1:" + node.port());
    }
    create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    run(create);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    for (int port : ports) {
      while (true) {
        try (Resp r = Resp.connect(port)) {
          if (String.valueOf(r.call("CLUSTER", "INFO")).contains("cluster_state:ok")) {
            break;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("cluster node " + port + " never reported "
              + "cluster_state:ok within 30 s");
        }
        Processes.pause(Duration.ofMillis(100));
      }
    }
  }

  private static String cli(String server) {
    File sibling = new File(new File(server).getParentFile(), "redis-cli");
    if (sibling.canExecute()) {
      return sibling.getPath();
    }
    return "redis-cli";
  }

  private static void run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + cmd.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void stop() {
    for (RedisServer node : nodes) {
      node.close();
    }
  }
}
