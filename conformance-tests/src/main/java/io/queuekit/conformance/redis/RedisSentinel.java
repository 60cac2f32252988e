package io.queuekit.conformance.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One Redis Sentinel monitoring one throwaway master as {@value #MASTER}, with replicas if asked,
 * on free ports. Every process, the sentinel included, is a {@link RedisServer} (the one
 * redis-server launcher of the tests). Closing stops them all.
 *
 * <p><b>Thread-safety:</b> start and close from one thread; {@link #currentMasterPort()} from any.
 */
public final class RedisSentinel implements AutoCloseable {
  /** The monitored master's name. */
  public static final String MASTER = "mymaster";

  private final RedisServer master;
  private final List<RedisServer> replicas;
  private final RedisServer sentinel;
  private final String sentinelPassword;

  private RedisSentinel(RedisServer master, List<RedisServer> replicas, RedisServer sentinel,
      String sentinelPassword) {
    this.master = master;
    this.replicas = List.copyOf(replicas);
    this.sentinel = sentinel;
    this.sentinelPassword = sentinelPassword;
  }

  /** Starts a master and a sentinel in front of it; returns once the sentinel knows the master. */
  public static RedisSentinel start() {
    return start(null, null);
  }

  /**
   * As {@link #start()}, with a password on the master ({@code requirepass}, given to the
   * sentinel as {@code auth-pass}) and on the sentinel itself; either may be null.
   */
  public static RedisSentinel start(String masterPassword, String sentinelPassword) {
    return start(masterPassword, sentinelPassword, 0, Duration.ofSeconds(5),
        Duration.ofMinutes(3));
  }

  /**
   * A master with {@code replicas} replicas (synced before this returns) and a sentinel (quorum
   * 1) that calls the master down after {@code downAfter} and gives a failover {@code
   * failoverTimeout}: short values make a failover test quick.
   */
  public static RedisSentinel withReplicas(int replicas, Duration downAfter,
      Duration failoverTimeout) {
    return start(null, null, replicas, downAfter, failoverTimeout);
  }

  private static RedisSentinel start(String masterPassword, String sentinelPassword,
      int replicaCount, Duration downAfter, Duration failoverTimeout) {
    List<RedisServer> started = new ArrayList<>();
    try {
      RedisServer master = masterPassword == null ? RedisServer.startPlain()
          : RedisServer.builder().password(masterPassword).build().start();
      started.add(master);
      List<RedisServer> replicas = new ArrayList<>();
      for (int i = 0; i < replicaCount; i++) {
        RedisServer r = RedisServer.startPlain();
        started.add(r);
        r.replicate(master);
        replicas.add(r);
      }
      List<String> conf = new ArrayList<>(List.of(
          "sentinel monitor " + MASTER + " 127.0.0.1 " + master.port() + " 1",
          "sentinel down-after-milliseconds " + MASTER + " " + downAfter.toMillis(),
          "sentinel failover-timeout " + MASTER + " " + failoverTimeout.toMillis()));
      if (masterPassword != null) {
        conf.add("sentinel auth-pass " + MASTER + " " + masterPassword);
      }
      RedisServer.Builder b = RedisServer.builder().sentinel(conf);
      if (sentinelPassword != null) {
        b.password(sentinelPassword);
      }
      RedisServer sentinel = b.build().start();
      started.add(sentinel);
      RedisSentinel s = new RedisSentinel(master, replicas, sentinel, sentinelPassword);
      s.awaitMaster(replicaCount);
      return s;
    } catch (RuntimeException e) {
      for (RedisServer r : started) {
        r.close();
      }
      throw e;
    }
  }

  /** Waits until the sentinel reports the master and knows all its replicas. */
  private void awaitMaster(int replicaCount) {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline) {
      try (Resp r = sentinel.client()) {
        Object addr = r.call("SENTINEL", "get-master-addr-by-name", MASTER);
        if (addr instanceof List && ((List<?>) addr).size() == 2
            && (replicaCount == 0 || ((List<?>) r.call("SENTINEL", "replicas", MASTER)).size()
                >= replicaCount)) {
          return;
        }
      } catch (RuntimeException notYet) {
        // starting
      }
      Processes.pause(Duration.ofMillis(50));
    }
    throw new IllegalStateException("sentinel on port " + port() + " never reported master "
        + MASTER + " with " + replicaCount + " replica(s): " + sentinel.log());
  }

  /** The sentinel's port. */
  public int port() {
    return sentinel.port();
  }

  /** The master it was started with (after a failover, maybe no longer the master). */
  public RedisServer master() {
    return master;
  }

  /** The replicas it was started with. */
  public List<RedisServer> replicas() {
    return replicas;
  }

  /** The port the sentinel reports for the master now. */
  public int currentMasterPort() {
    try (Resp r = sentinel.client()) {
      List<?> addr = (List<?>) r.call("SENTINEL", "get-master-addr-by-name", MASTER);
      return Integer.parseInt(String.valueOf(addr.get(1)));
    }
  }

  /** The sentinel's log, for failure messages. */
  public String log() {
    return sentinel.log();
  }

  /** {@code redis+sentinel://127.0.0.1:PORT/0?mastername=mymaster}. */
  public String connStr() {
    return "redis+sentinel://127.0.0.1:" + port() + "/0?mastername=" + MASTER;
  }

  @Override
  public void close() {
    sentinel.close();
    for (RedisServer r : replicas) {
      r.close();
    }
    master.close();
  }
}
