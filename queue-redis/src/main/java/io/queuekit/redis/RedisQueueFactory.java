package io.queuekit.redis;

import io.queuekit.QueueConfigException;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueueFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Serves {@code TYPE=redis}: opens {@link RedisQueue}s on the Redis named by {@code CONN_STR}
 * (empty: {@code redis://127.0.0.1:6379/0}), sharing one client per connection string among
 * the queues it opens ({@link SharedClients}; the installed factory serves every manager that
 * loads the installed backends): no client outlives them.
 *
 * <p>At the first use of a connection string the client PINGs up to 10 times, 1 s apart (as
 * Gitea; once with {@link #tryingOnce}), then fails with {@link
 * io.queuekit.QueueUnavailableException} naming the address with its password masked; refused
 * credentials fail at once.
 *
 * <p><b>Thread-safety:</b> {@link #create} may be called from several threads at once.
 */
public final class RedisQueueFactory implements BaseQueueFactory {
  /** Longest wait of one blocking command; an idle queue costs one command per waiter per this. */
  static final Duration BLOCK_TIMEOUT = Duration.ofSeconds(2);

  private final SharedClient.StartPolicy start;
  private final Duration blockTimeout;
  private final SharedClients clients = new SharedClients();

  /** The factory {@link java.util.ServiceLoader} uses: Gitea's start-up retries. */
  public RedisQueueFactory() {
    this(SharedClient.StartPolicy.GITEA, BLOCK_TIMEOUT);
  }

  RedisQueueFactory(SharedClient.StartPolicy start, Duration blockTimeout) {
    this.start = start;
    this.blockTimeout = blockTimeout;
  }

  /**
   * A factory for a short-lived tool that must answer at once while Redis is down (the {@code
   * queuekit} CLI): each connection string is tried once at its first use, not Gitea's 10 times
   * 1 s apart, and one that failed (unreachable, credentials or TLS refused) is not tried again by
   * this factory's later queues, which fail at once naming the first queue and its cause. A
   * service keeps the {@linkplain #RedisQueueFactory() default}, whose queues wait out a Redis
   * that is restarting. What it remembers is its own: another factory, or the installed one,
   * tries as usual.
   */
  public static RedisQueueFactory tryingOnce() {
    return new RedisQueueFactory(SharedClient.StartPolicy.ONCE, BLOCK_TIMEOUT);
  }

  /** A factory trying the first connection {@code attempts} times, {@code interval} apart. */
  static RedisQueueFactory withStartRetries(int attempts, Duration interval) {
    return new RedisQueueFactory(new SharedClient.StartPolicy(attempts, interval), BLOCK_TIMEOUT);
  }

  @Override
  public Set<String> types() {
    return Set.of("redis");
  }

  /** Gitea before 1.20: {@code unique-redis}, now a unique queue of {@code TYPE=redis}. */
  @Override
  public Map<String, String> formerNames() {
    return Map.of("unique-redis", "redis");
  }

  /** The schemes Gitea's Redis client accepts. */
  @Override
  public Set<String> connStrSchemes() {
    return GiteaRedisUri.SCHEMES;
  }

  /**
   * The URI for Gitea's old {@code key=value} form ({@code addrs=127.0.0.1:6379 db=0}), converted
   * as Gitea's {@code nosql.ToRedisURI} does; empty for anything else, and for an old form this
   * backend refuses ({@link #validate} says why): converting it would write Gitea's misreading
   * into the file.
   */
  @Override
  public Optional<String> currentConnStr(String connStr) {
    if (!GiteaRedisUri.isLegacy(connStr)) {
      return Optional.empty();
    }
    try {
      // the parse converts it, and refuses what it must not convert
      return Optional.of(RedisConnStr.parse(connStr).uri);
    } catch (QueueConfigException refused) {
      return Optional.empty();
    }
  }

  /**
   * Parses the {@code CONN_STR} as {@link #create} would (host, port, database, sentinel master),
   * and refuses a {@code DURABILITY} the connection cannot give (any but none with a cluster).
   */
  @Override
  public void validate(String type, String queue, io.queuekit.QueueSettings settings) {
    RedisConnStr conn;
    try {
      conn = RedisConnStr.parse(settings.connStr());
    } catch (io.queuekit.QueueConfigException e) {
      throw new io.queuekit.QueueConfigException("queue \"" + queue + "\": " + e.getMessage(), e);
    }
    DurableWrites.refuseCluster(queue, settings.durability(), conn);
  }

  /** {@code DURABILITY}: {@code WAITAOF} or {@code WAIT} after each push and settle. */
  @Override
  public boolean honoursDurability(String type) {
    return "redis".equals(type);
  }

  /** {@code GLOBAL_MAX_WORKERS} is enforced by the claim script (docs/DESIGN.md §3.12). */
  @Override
  public boolean enforcesGlobalMaxWorkers(String type) {
    return "redis".equals(type);
  }

  @Override
  public BaseQueue create(String type, BaseQueueConfig config) {
    if (!"redis".equals(type)) {
      throw new QueueConfigException("queue \"" + config.name() + "\": the redis backend does not "
          + "serve TYPE=" + type);
    }
    RedisConnStr conn;
    try {
      conn = RedisConnStr.parse(config.settings().connStr());
    } catch (QueueConfigException e) {
      throw new QueueConfigException("queue \"" + config.name() + "\": " + e.getMessage(), e);
    }
    return new RedisQueue(config, conn, clients, start, blockTimeout);
  }
}
