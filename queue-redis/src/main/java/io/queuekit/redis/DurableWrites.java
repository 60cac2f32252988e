package io.queuekit.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.ArrayOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.queuekit.Durability;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueUnavailableException;
import io.queuekit.redis.Scripts.Script;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code DURABILITY} setting of one queue (DESIGN §3.11): after each push or settle script
 * returns, {@code WAIT N} (replicas) or {@code WAITAOF 1 0} (the server's own append-only file)
 * on the same shared connection, and a {@link QueueUnavailableException} when the server does not
 * confirm in time.
 *
 * <p>Why the shared connection is right: {@code WAIT} and {@code WAITAOF} wait for the
 * replication offset of the last write <em>of the connection they are sent on</em>. Every queue's
 * writes go over the one multiplexed connection of its {@link SharedClient}, and the wait is sent
 * after the script's reply arrived, so it covers that write (and every earlier one on the
 * connection). The price: the server blocks the connection's later commands until the wait
 * returns, so a replica that is down stalls every queue of that connection string for up to the
 * wait's timeout (half the command timeout) per write. A dedicated connection would not help: it
 * would wait for its own writes, which are none. For the same reason a wait sent after the shared
 * connection was re-established (a dropped socket, a Sentinel failover to a new master) covers
 * nothing written before: such a write is reported unconfirmed, never confirmed by it.
 *
 * <p>At-least-once: a write that is not confirmed in time may still be stored (and replicated
 * later), so a push that fails this way may still be delivered; retrying it may store the item
 * twice. An unconfirmed settle leaves the delivery held, so the pool's retry runs it again
 * (fenced: the second run is {@code STALE} if the first ran).
 *
 * <p>Redis Cluster is refused at open: Lettuce sends a command with no key, such as {@code WAIT},
 * to an arbitrary node's connection, not to the master that did the write, so the wait would
 * count the wrong node's replicas. {@code aof} needs {@code WAITAOF} (Redis 7.2) and {@code
 * appendonly yes}; both are checked at open.
 *
 * <p><b>Thread-safety:</b> immutable after open; safe for any number of threads. <b>Ordering:</b>
 * adds none. <b>Durability:</b> this class is what makes writes durable beyond the server's memory.
 */
final class DurableWrites {
  private static final Logger log = LoggerFactory.getLogger(RedisQueue.class);

  /** The scripts whose effect a caller is told about: pushes and settles (and admin writes). */
  private static final Set<Script> WRITES = EnumSet.of(Script.PUSH, Script.ACK, Script.RELEASE,
      Script.UNCLAIM, Script.DEADLETTER, Script.REPLAY, Script.PURGE, Script.REMOVEALL);

  private static final Pattern VERSION = Pattern.compile("redis_version:(\\d+)\\.(\\d+)");

  /** Lettuce 6.8 has no {@code WAITAOF} method; sent with {@code dispatch}. */
  private enum Command implements ProtocolKeyword {
    WAITAOF;

    private final byte[] bytes = name().getBytes(StandardCharsets.US_ASCII);

    @Override
    public byte[] getBytes() {
      return bytes;
    }
  }

  private final String name;
  private final Durability durability;
  private final SharedClient shared;
  private final long timeoutMs;
  /**
   * Runs just before each wait is sent: a test seam, to re-establish the connection between a
   * write and its wait, which no test could time from outside. Nothing otherwise.
   */
  volatile Runnable beforeWait = () -> { };

  DurableWrites(String name, Durability durability, SharedClient shared) {
    this.name = name;
    this.durability = durability;
    this.shared = shared;
    // below the command timeout, or Lettuce would time the wait out before the server answers
    this.timeoutMs = Math.max(1, shared.commandTimeout.toMillis() / 2);
  }

  /** Whether the setting is {@code none}: writes wait for nothing. */
  boolean none() {
    return durability.mode() == Durability.Mode.NONE;
  }

  /**
   * Checks at open that the server can do what the setting asks.
   *
   * @throws QueueConfigException naming the queue, the setting and why: a cluster, a server
   *     without {@code WAITAOF} (naming its version), {@code aof} with {@code appendonly no}
   */
  void check(RedisCalls calls) {
    if (durability.mode() == Durability.Mode.NONE) {
      return;
    }
    refuseCluster(name, durability, shared.conn);
    if (durability.mode() == Durability.Mode.AOF) {
      String info = info(calls, "server");
      Matcher m = VERSION.matcher(info);
      if (m.find() && (Integer.parseInt(m.group(1)) < 7
          || Integer.parseInt(m.group(1)) == 7 && Integer.parseInt(m.group(2)) < 2)) {
        String version = info.substring(m.start() + "redis_version:".length()).split("\\s")[0];
        throw new QueueConfigException("queue \"" + name + "\": DURABILITY=aof needs WAITAOF, "
            + "which Redis 7.2 added; Redis at " + calls.where() + " is version " + version
            + "; upgrade it, or use DURABILITY=replica or none");
      }
      String appendOnly = configGet(calls, "appendonly");
      if ("no".equals(appendOnly)) {
        throw new QueueConfigException("queue \"" + name + "\": DURABILITY=aof waits for the "
            + "append-only file, but Redis at " + calls.where() + " has appendonly no; set "
            + "appendonly yes, or use DURABILITY=replica or none");
      }
    } else {
      Matcher m = Pattern.compile("connected_slaves:(\\d+)").matcher(info(calls, "replication"));
      int connected = m.find() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
      if (connected < durability.replicas()) {
        log.warn("queue \"{}\": DURABILITY={} but Redis at {} has {} connected replica(s) now; "
            + "pushes and settles fail until {} are connected", name, durability, calls.where(),
            connected, durability.replicas());
      }
    }
  }

  /**
   * Refuses any {@code DURABILITY} but {@code none} with Redis Cluster (at open, and in the
   * configuration check through {@link RedisQueueFactory#validate}).
   *
   * @throws QueueConfigException naming the queue, the value, the address and why
   */
  static void refuseCluster(String queue, Durability durability, RedisConnStr conn) {
    if (conn.kind == RedisConnStr.Kind.CLUSTER && durability.mode() != Durability.Mode.NONE) {
      throw new QueueConfigException("queue \"" + queue + "\": DURABILITY=" + durability
          + " is not supported with Redis Cluster (" + conn.masked() + "): WAIT has no key, so "
          + "the client would send it to an arbitrary node instead of the master that did the "
          + "write; use DURABILITY=none (cluster masters replicate asynchronously)");
    }
  }

  /**
   * Waits, after script {@code s} returned, until the server confirms its write as the setting
   * asks; returns at once for {@code none} and for scripts that are not pushes or settles.
   *
   * @param connection {@link SharedClient#reconnects()} read before the script was sent: a wait
   *     sent on a connection re-established since counts none of the script's writes (after a
   *     failover the write may be gone with the old master), so it cannot confirm them
   * @throws QueueUnavailableException when the server does not confirm within the timeout or the
   *     connection was re-established since the write (either way the write may be stored all
   *     the same), or cannot be reached
   */
  void confirm(RedisCalls calls, Script s, long connection) {
    if (durability.mode() == Durability.Mode.NONE || !WRITES.contains(s)) {
      return;
    }
    String op = s.name().toLowerCase(java.util.Locale.ROOT);
    beforeWait.run();
    if (durability.mode() == Durability.Mode.REPLICAS) {
      long acked = calls.get(shared.async.waitForReplication(durability.replicas(), timeoutMs),
          "wait after " + op);
      reconnected(calls, op, connection);
      if (acked < durability.replicas()) {
        throw notConfirmed(calls, op, acked + " of " + durability.replicas() + " replica(s)");
      }
      return;
    }
    List<Object> r;
    try {
      r = calls.get(shared.async.dispatch(Command.WAITAOF,
          new ArrayOutput<>(ByteArrayCodec.INSTANCE), new CommandArgs<>(ByteArrayCodec.INSTANCE)
              .add(1).add(0).add(timeoutMs)), "waitaof after " + op);
    } catch (QueueUnavailableException e) {
      throw e;
    } catch (io.queuekit.QueueException e) {
      // refused, not lost: the append-only file was switched off since open (checked there)
      Throwable why = e.getCause() instanceof RedisCommandExecutionException ? e.getCause() : e;
      throw new io.queuekit.QueueException("queue \"" + name + "\": Redis at " + calls.where()
          + " refused WAITAOF after " + op + " (DURABILITY=aof): " + why.getMessage()
          + "; the write is stored, but not confirmed on disk", e);
    }
    reconnected(calls, op, connection);
    if ((Long) r.get(0) < 1) {
      throw notConfirmed(calls, op, "the append-only file fsync");
    }
  }

  /** Refuses a confirmation that came over a connection re-established since the write. */
  private void reconnected(RedisCalls calls, String op, long connection) {
    if (shared.reconnects() != connection) {
      throw new QueueUnavailableException("queue \"" + name + "\": the connection to Redis at "
          + calls.where() + " was re-established between " + op + " and its wait (DURABILITY="
          + durability + "), so the wait could not confirm the write; it may be stored all the "
          + "same (at-least-once: a push that failed this way may still be delivered)");
    }
  }

  private QueueUnavailableException notConfirmed(RedisCalls calls, String op, String what) {
    return new QueueUnavailableException("queue \"" + name + "\": Redis at " + calls.where()
        + " did not confirm " + what + " within " + timeoutMs + " ms after " + op
        + " (DURABILITY=" + durability + "); the write may be stored all the same "
        + "(at-least-once: a push that failed this way may still be delivered)");
  }

  /** An INFO section, or "" when this user may not read it (the wait itself will tell). */
  private String info(RedisCalls calls, String section) {
    try {
      return calls.get(shared.async.info(section), "info " + section);
    } catch (io.queuekit.QueueException e) {
      if (e instanceof QueueUnavailableException) {
        throw e;
      }
      log.info("queue \"{}\": cannot read INFO {} of Redis at {}: {}", name, section,
          calls.where(), e.getMessage());
      return "";
    }
  }

  private String configGet(RedisCalls calls, String key) {
    try {
      return calls.get(shared.async.configGet(key), "config get").get(key);
    } catch (io.queuekit.QueueException e) {
      if (e instanceof QueueUnavailableException) {
        throw e;
      }
      // CONFIG may be forbidden (ACL) or renamed; WAITAOF itself will say what is wrong
      log.info("queue \"{}\": cannot read {} of Redis at {}: {}", name, key, calls.where(),
          e.getMessage());
      return null;
    }
  }

  /**
   * Warns once per client when the server keeps nothing on disk ({@code appendonly no} and no
   * {@code save} points): a restart loses every item. A server that refuses {@code CONFIG}
   * (ACL, renamed) is said once at INFO; the queue works all the same.
   */
  static void warnIfNothingOnDisk(RedisClusterAsyncCommands<byte[], byte[]> c, RedisConnStr conn,
      String queue) {
    Map<String, String> config;
    try {
      config = c.configGet("appendonly", "save").get(SharedClient.DEFAULT_COMMAND_TIMEOUT.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      RuntimeException cause = SharedClient.unwrap(e);
      if (cause instanceof RedisCommandExecutionException) {
        log.info("queue \"{}\": cannot read appendonly and save of Redis at {} ({}); cannot tell "
            + "whether it keeps items on disk", queue, conn.masked(), SharedClient.rootMessage(cause));
        return;
      }
      throw cause;
    }
    if ("no".equals(config.get("appendonly")) && config.getOrDefault("save", "").isBlank()) {
      log.warn("queue \"{}\": Redis at {} keeps nothing on disk (appendonly no, no save points): "
          + "a restart of the server loses every queued item; set appendonly yes (or save "
          + "points) if the items matter", queue, conn.masked());
    }
  }
}
