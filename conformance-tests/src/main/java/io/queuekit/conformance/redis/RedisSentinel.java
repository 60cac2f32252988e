package io.queuekit.conformance.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One Redis Sentinel (a {@code redis-server --sentinel}) monitoring one throwaway master as
 * {@value #MASTER}, on free ports. Closing stops both.
 *
 * <p><b>Thread-safety:</b> start and close from one thread.
 */
public final class RedisSentinel implements AutoCloseable {
  /** The monitored master's name. */
  public static final String MASTER = "mymaster";

  private final RedisServer master;
  private final Path dir;
  private final int port;
  private final Process process;

  private final String sentinelPassword;

  private RedisSentinel(RedisServer master, Path dir, int port, Process process,
      String sentinelPassword) {
    this.sentinelPassword = sentinelPassword;
    this.master = master;
    this.dir = dir;
    this.port = port;
    this.process = process;
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
    RedisServer master = masterPassword == null ? RedisServer.startPlain()
        : RedisServer.builder().password(masterPassword).build().start();
    try {
      Path dir = Files.createTempDirectory("queuekit-sentinel-");
      int port = RedisServer.freePort();
      Path conf = dir.resolve("sentinel.conf");
      Files.writeString(conf, String.join("\n",
          "port " + port,
          "bind 127.0.0.1",
          "protected-mode no",
          "dir " + dir,
          "logfile " + dir.resolve("sentinel.log"),
          "sentinel monitor " + MASTER + " 127.0.0.1 " + master.port() + " 1",
          "sentinel down-after-milliseconds " + MASTER + " 5000",
          masterPassword == null ? "" : "sentinel auth-pass " + MASTER + " " + masterPassword,
          sentinelPassword == null ? "" : "requirepass " + sentinelPassword,
          ""));
      Process p = new ProcessBuilder(RedisServer.binary(), conf.toString(), "--sentinel")
          .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
      Processes.register(p);
      RedisSentinel s = new RedisSentinel(master, dir, port, p, sentinelPassword);
      s.awaitMaster();
      return s;
    } catch (IOException e) {
      master.close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      master.close();
      throw e;
    }
  }

  private void awaitMaster() {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline) {
      try (Resp r = Resp.connect(port)) {
        if (sentinelPassword != null) {
          r.call("AUTH", sentinelPassword);
        }
        Object addr = r.call("SENTINEL", "get-master-addr-by-name", MASTER);
        if (addr instanceof List && ((List<?>) addr).size() == 2) {
          return;
        }
      } catch (RuntimeException notYet) {
        // starting
      }
      Processes.pause(Duration.ofMillis(50));
    }
    close();
    throw new IllegalStateException("sentinel on port " + port + " never reported master "
        + MASTER);
  }

  /** The sentinel's port. */
  public int port() {
    return port;
  }

  /** The master behind it. */
  public RedisServer master() {
    return master;
  }

  /** {@code redis+sentinel://127.0.0.1:PORT/0?mastername=mymaster}. */
  public String connStr() {
    return "redis+sentinel://127.0.0.1:" + port + "/0?mastername=" + MASTER;
  }

  @Override
  public void close() {
    process.destroy();
    if (!RedisServer.waitFor(process)) {
      process.destroyForcibly();
      RedisServer.waitFor(process);
    }
    master.close();
    RedisServer.deleteTree(dir);
  }
}
