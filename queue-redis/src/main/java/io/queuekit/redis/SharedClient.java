package io.queuekit.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.event.DefaultEventPublisherOptions;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueUnavailableException;
import io.queuekit.internal.ConnStrings;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Lettuce client per connection string, shared by every queue of one {@link SharedClients}
 * registry (one per factory) using that string and closed when the last one lets go.
 *
 * <p>Holds one multiplexed connection for every non-blocking command of every queue; blocking
 * commands ({@code BLPOP} on a wake or room list) get {@link #dedicated() dedicated} connections
 * so they never stall the shared one.
 *
 * <p>Connections are set up so that a broken Redis is an error, never a silent wait: commands
 * issued while disconnected fail at once ({@code REJECT_COMMANDS}) and commands in flight when a
 * connection drops are failed rather than replayed after the reconnect (a replayed script would
 * act twice, e.g. an ack reported {@code STALE}); the queue retries by its own policy.
 *
 * <p>Its queues' {@link BeatGroup}s live here too (one per scheduler), so one beat serves every
 * queue of the client and nothing outlives it.
 *
 * <p><b>Thread-safety:</b> {@link #release} is synchronized on the registry; a shared client's
 * connection is thread-safe.
 */
final class SharedClient {
  private static final Logger log = LoggerFactory.getLogger(SharedClient.class);

  /**
   * How the connection is tried at start: {@code attempts} times, {@code interval} apart. With
   * {@code tryOnce}, the registry also remembers a connection string it could not open, and its
   * later queues fail at once with that failure instead of trying again ({@link
   * SharedClients#acquire}): a short-lived tool then answers in one attempt per server, where a
   * service, opening its queues again later, must try each time.
   */
  record StartPolicy(int attempts, Duration interval, boolean tryOnce) {
    /** Gitea's 10 PINGs 1 s apart, at every open: a service waits out a restarting Redis. */
    static final StartPolicy GITEA = new StartPolicy(10, Duration.ofSeconds(1));
    /** One attempt per connection string, not repeated: {@link RedisQueueFactory#tryingOnce}. */
    static final StartPolicy ONCE = new StartPolicy(1, Duration.ZERO, true);

    StartPolicy(int attempts, Duration interval) {
      this(attempts, interval, false);
    }
  }

  /** Default command timeout when the string sets none (go-redis: 3 s read, 5 s dial). */
  static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);

  private final SharedClients owner;
  final RedisConnStr conn;
  final Duration commandTimeout;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final StatefulConnection<byte[], byte[]> connection;
  final RedisClusterAsyncCommands<byte[], byte[]> async;
  /** The beat groups of this client's queues, by scheduler; guarded by itself. */
  final Map<ScheduledExecutorService, BeatGroup> beatGroups = new HashMap<>();
  /** How many times the shared connection was re-established since it opened. */
  private final AtomicLong reconnects = new AtomicLong();
  /**
   * How many connections carry {@link PushTransaction}s. A connection holds one transaction at a
   * time, so with one, each producer waited for the others' {@code EXEC} (a third of a producer's
   * time in the throughput benchmark); with two, two pushes are on their way at once.
   */
  static final int TRANSACTION_CONNECTIONS = 2;
  /** The connections of {@link PushTransaction}s, each opened on first use; never on Cluster. */
  private final PushTransaction[] transactions = new PushTransaction[TRANSACTION_CONNECTIONS];
  /** The one the next push takes: they take turns. Guarded by this. */
  private int nextTransaction;

  private SharedClient(SharedClients owner, RedisConnStr conn, ClientResources resources,
      AbstractRedisClient client, StatefulConnection<byte[], byte[]> connection) {
    this.owner = owner;
    this.conn = conn;
    this.resources = resources;
    this.client = client;
    this.connection = connection;
    this.async = commands(connection);
    this.commandTimeout = conn.readTimeout != null ? conn.readTimeout : DEFAULT_COMMAND_TIMEOUT;
    client.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
        if (handler == connection) {
          reconnects.incrementAndGet();
        }
      }
    });
  }

  /**
   * How many times the shared connection was re-established so far: a {@code WAIT} counts the
   * writes of the connection it is sent on, so one sent after a reconnect covers nothing written
   * before it ({@link DurableWrites}).
   */
  long reconnects() {
    return reconnects.get();
  }

  /** Lets go of one reference; the last closes the client. */
  void release() {
    if (!owner.release(this)) {
      return;
    }
    synchronized (this) {
      for (PushTransaction t : transactions) {
        if (t != null) {
          t.close();
        }
      }
    }
    connection.close();
    shutdown(client, resources);
  }

  /** Whether pushes may go as transactions: not on Cluster, whose commands are routed by key. */
  boolean transactional() {
    return !(client instanceof RedisClusterClient);
  }

  /**
   * The push transactions of every queue on this client for the next push: the {@link
   * #TRANSACTION_CONNECTIONS} connections of their own take turns, each opened on first use
   * ({@link #transactional} only).
   *
   * @throws io.lettuce.core.RedisConnectionException when that connection cannot be opened now
   *     (the next push tries again)
   */
  synchronized PushTransaction transactions() {
    int i = nextTransaction;
    nextTransaction = (i + 1) % transactions.length;
    if (transactions[i] == null) {
      transactions[i] = new PushTransaction(
          ((RedisClient) client).connect(ByteArrayCodec.INSTANCE), commandTimeout);
    }
    return transactions[i];
  }

  /** A new connection of its own, for one blocking command at a time. Close it when done. */
  StatefulConnection<byte[], byte[]> dedicated() {
    StatefulConnection<byte[], byte[]> c;
    if (client instanceof RedisClusterClient) {
      c = ((RedisClusterClient) client).connect(ByteArrayCodec.INSTANCE);
    } else {
      c = ((RedisClient) client).connect(ByteArrayCodec.INSTANCE);
    }
    return c;
  }

  @SuppressWarnings("unchecked")
  static RedisClusterAsyncCommands<byte[], byte[]> commands(StatefulConnection<byte[], byte[]> c) {
    if (c instanceof StatefulRedisClusterConnection) {
      return ((StatefulRedisClusterConnection<byte[], byte[]>) c).async();
    }
    return ((StatefulRedisConnection<byte[], byte[]>) c).async();
  }

  /**
   * Connects, trying {@code policy.attempts()} times; {@link SharedClients#acquire} only.
   *
   * @throws QueueUnavailableException naming the queue and the masked address when Redis cannot be
   *     reached in time, or refuses the credentials
   */
  static SharedClient open(SharedClients owner, RedisConnStr conn, String queue,
      StartPolicy policy) {
    ClientResources resources = newResources(conn);
    AbstractRedisClient client = null;
    Exception last = null;
    int attempts = Math.max(1, policy.attempts());
    try {
      for (int i = 1; i <= attempts; i++) {
        try {
          if (client == null) {
            client = newClient(conn, resources);
          }
          StatefulConnection<byte[], byte[]> c = connect(client);
          try {
            ping(commands(c), conn);
            checkEviction(commands(c), conn, queue);
            DurableWrites.warnIfNothingOnDisk(commands(c), conn, queue);
          } catch (RuntimeException e) {
            c.close();
            throw e;
          }
          return new SharedClient(owner, conn, resources, client, c);
        } catch (RuntimeException e) {
          last = e;
          if (authFailure(e)) {
            throw new QueueUnavailableException("queue \"" + queue + "\": Redis at " + conn.masked()
                + " refused the credentials (authentication failed): " + rootMessage(e), e);
          }
          String noDb = causeMessage(e, "DB index is out of range");
          if (noDb != null) {
            // the server's databases are fixed at its start: retrying cannot help
            throw new QueueConfigException("queue \"" + queue + "\": Redis at " + conn.masked()
                + " has no such database (" + noDb + "); fix the database number in CONN_STR");
          }
          if (tlsFailure(e)) {
            // a certificate the JVM does not trust stays untrusted: retrying cannot help
            throw new QueueUnavailableException("queue \"" + queue + "\": TLS handshake with Redis at "
                + conn.masked() + " failed (is its certificate trusted by this JVM's trust store? "
                + "Gitea's ?skipverify=true turns verification off): " + rootMessage(e), e);
          }
          if (i < attempts) {
            log.warn("queue \"{}\": Redis at {} is not ready (attempt {} of {}), retrying in {}: {}",
                queue, conn.masked(), i, attempts, policy.interval(), rootMessage(e));
            Thread.sleep(policy.interval().toMillis());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      last = e;
    } catch (RuntimeException e) {
      shutdown(client, resources);
      throw e;
    }
    shutdown(client, resources);
    throw new QueueUnavailableException("queue \"" + queue + "\": cannot reach Redis at "
        + conn.masked() + (attempts == 1 ? " (one attempt)" : " after " + attempts + " attempt(s) "
        + policy.interval().toMillis() + " ms apart") + ": " + rootMessage(last), last);
  }

  static ClientResources newResources(RedisConnStr conn) {
    Duration min = conn.minRetryBackoff != null ? conn.minRetryBackoff : Duration.ofMillis(100);
    Duration max = conn.maxRetryBackoff != null ? conn.maxRetryBackoff : Duration.ofSeconds(5);
    // Lettuce's default reconnect delay grows to 30 s; a queue wants to resume within its 5 s cap
    // Lettuce records every command's latency when LatencyUtils is on the class path (Micrometer
    // brings it): about 2 % of a busy client's CPU for numbers nothing here reads, and a periodic
    // event. Off: queuekit-micrometer measures the queue's own steps.
    return DefaultClientResources.builder()
        .commandLatencyRecorder(CommandLatencyRecorder.disabled())
        .commandLatencyPublisherOptions(DefaultEventPublisherOptions.disabled())
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(2)
        .reconnectDelay(Delay.exponential(min, max.compareTo(min) < 0 ? min : max, 2,
            TimeUnit.MILLISECONDS))
        .build();
  }

  /**
   * Shuts the client and its resources down in an order that leaves no task behind a dead I/O
   * thread. A connect that failed (refused, say) leaves its handshake timeout pending on Lettuce's
   * timer; when it fires, it queues a task on the event executors that closes the channel on its
   * I/O thread. {@link ClientResources#shutdown} ends the timer, the executors and the I/O threads
   * all at once, so on a loaded machine that task could run after its I/O thread had ended, and
   * Netty logged an ERROR with a {@code RejectedExecutionException} trace, after the queue's own
   * tidy error. So: the timer first (no new tasks), then wait for what the executors already hold
   * to run while the I/O threads still live, then the client (which lets its I/O threads go; its
   * channels' close still notifies on the executors, so they must not end before it), then the
   * rest.
   */
  static void shutdown(AbstractRedisClient client, ClientResources resources) {
    resources.timer().stop();
    // each executor runs its tasks in order: a no-op's end means all queued before it have run
    List<Future<?>> drained = new ArrayList<>();
    for (EventExecutor e : resources.eventExecutorGroup()) {
      drained.add(e.submit(() -> { }));
    }
    for (Future<?> f : drained) {
      f.awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    // a queue closed on an interrupted thread (a stopping pool's, a shutdown hook's) still closes
    // whole: the client's shutdown waits for its channels and would throw at once; the interrupt
    // is kept for the caller
    boolean interrupted = Thread.interrupted();
    try {
      if (client != null) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
      }
    } finally {
      // even when the client's shutdown threw: the resources' I/O threads must not stay
      resources.shutdown(0, 1, TimeUnit.SECONDS);
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static StatefulConnection<byte[], byte[]> connect(AbstractRedisClient client) {
    if (client instanceof RedisClusterClient) {
      return ((RedisClusterClient) client).connect(ByteArrayCodec.INSTANCE);
    }
    return ((RedisClient) client).connect(ByteArrayCodec.INSTANCE);
  }

  private static void ping(RedisClusterAsyncCommands<byte[], byte[]> c, RedisConnStr conn) {
    try {
      c.ping().get(DEFAULT_COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw unwrap(e);
    }
  }

  /** Evicting policies delete queue keys without a trace; say so loudly, once per client. */
  private static void checkEviction(RedisClusterAsyncCommands<byte[], byte[]> c, RedisConnStr conn,
      String queue) {
    Map<String, String> policy;
    try {
      policy = c.configGet("maxmemory-policy").get(DEFAULT_COMMAND_TIMEOUT.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      RuntimeException cause = unwrap(e);
      if (cause instanceof RedisCommandExecutionException) {
        // CONFIG may be forbidden to this user (ACL) or renamed; the queue still works
        log.warn("queue \"{}\": cannot read maxmemory-policy of Redis at {} ({}); make sure it is "
            + "noeviction, or queue items may be evicted", queue, conn.masked(), rootMessage(cause));
        return;
      }
      throw cause;
    }
    String value = policy.getOrDefault("maxmemory-policy", "");
    if (!value.equals("noeviction")) {
      log.error("queue \"{}\": Redis at {} has maxmemory-policy {}: it may evict queue items "
          + "under memory pressure; set maxmemory-policy noeviction", queue, conn.masked(), value);
    }
  }

  static RuntimeException unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof java.util.concurrent.ExecutionException
        || t instanceof java.util.concurrent.CompletionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof java.util.concurrent.TimeoutException) {
      return new io.lettuce.core.RedisCommandTimeoutException("no reply in time");
    }
    return t instanceof RuntimeException ? (RuntimeException) t : new RuntimeException(t);
  }

  static boolean tlsFailure(Throwable e) {
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof javax.net.ssl.SSLHandshakeException) {
        return true;
      }
    }
    return false;
  }

  /** The message of the first cause of {@code e} whose message contains {@code text}, or null. */
  private static String causeMessage(Throwable e, String text) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains(text)) {
        return t.getMessage();
      }
    }
    return null;
  }

  static boolean authFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && (m.startsWith("WRONGPASS") || m.startsWith("NOAUTH")
          || m.contains("invalid password") || m.contains("invalid username-password")
          || m.contains("AUTH failed") || m.contains("WRONGPASS"))) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  static String rootMessage(Throwable e) {
    if (e == null) {
      return "unknown cause";
    }
    StringBuilder sb = new StringBuilder();
    Throwable t = e;
    String prev = null;
    while (t != null) {
      String m = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
      if (prev == null || !prev.contains(t.getMessage() == null ? "\0" : t.getMessage())) {
        if (sb.length() > 0) {
          sb.append(" <- ");
        }
        sb.append(m);
      }
      prev = m;
      if (t.getCause() == t) {
        break;
      }
      t = t.getCause();
    }
    return ConnStrings.mask(sb.toString());
  }

  static AbstractRedisClient newClient(RedisConnStr conn, ClientResources resources) {
    SocketOptions.Builder socket = SocketOptions.builder().keepAlive(true);
    if (conn.dialTimeout != null) {
      socket.connectTimeout(conn.dialTimeout);
    } else {
      socket.connectTimeout(Duration.ofSeconds(5));
    }
    Duration timeout = conn.readTimeout != null ? conn.readTimeout : DEFAULT_COMMAND_TIMEOUT;
    switch (conn.kind) {
      case CLUSTER: {
        List<RedisURI> seeds = new ArrayList<>();
        for (RedisConnStr.HostPort hp : conn.addresses) {
          seeds.add(base(conn, RedisURI.Builder.redis(hp.host(), hp.port()), timeout).build());
        }
        RedisClusterClient c = RedisClusterClient.create(resources, seeds);
        ClusterClientOptions.Builder o = ClusterClientOptions.builder();
        if (conn.maxRedirects >= 0) {
          o.maxRedirects(conn.maxRedirects);
        }
        // a slot moved to another master (resharding, failover) answers MOVED or ASK: Lettuce
        // follows each redirect, and with these triggers also re-reads the slot map once, so the
        // next commands go straight to the new owner (not a redirect each; refreshes at most one
        // per 30 s, Lettuce's default)
        o.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
            .enableAdaptiveRefreshTrigger(
                ClusterTopologyRefreshOptions.RefreshTrigger.MOVED_REDIRECT,
                ClusterTopologyRefreshOptions.RefreshTrigger.PERSISTENT_RECONNECTS)
            .build());
        o.autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .replayFilter(SharedClient::neverReplay)
            .socketOptions(socket.build());
        c.setOptions(o.build());
        return c;
      }
      case SOCKET: {
        RedisURI.Builder b = RedisURI.Builder.socket(conn.socketPath).withDatabase(conn.db);
        RedisClient c = RedisClient.create(resources, base(conn, b, timeout).build());
        c.setOptions(options(socket));
        return c;
      }
      case SENTINEL: {
        RedisConnStr.HostPort first = conn.addresses.get(0);
        RedisURI.Builder b = RedisURI.Builder.sentinel(first.host(), first.port(), conn.masterName);
        for (RedisConnStr.HostPort hp : conn.addresses.subList(1, conn.addresses.size())) {
          b.withSentinel(hp.host(), hp.port());
        }
        b.withDatabase(conn.db);
        RedisURI uri = base(conn, b, timeout).build();
        // Gitea: the URI's password is the master's; sentinels have their own credentials
        for (RedisURI s : uri.getSentinels()) {
          s.setSsl(conn.tls);
          s.setVerifyPeer(conn.skipVerify ? SslVerifyMode.NONE : SslVerifyMode.FULL);
          if (!conn.sentinelPassword.isEmpty()) {
            s.setCredentialsProvider(new io.lettuce.core.StaticCredentialsProvider(
                conn.sentinelUsername.isEmpty() ? null : conn.sentinelUsername,
                conn.sentinelPassword.toCharArray()));
          }
        }
        RedisClient c = RedisClient.create(resources, uri);
        c.setOptions(options(socket));
        return c;
      }
      default: {
        RedisConnStr.HostPort hp = conn.addresses.get(0);
        RedisURI.Builder b = RedisURI.Builder.redis(hp.host(), hp.port()).withDatabase(conn.db);
        RedisClient c = RedisClient.create(resources, base(conn, b, timeout).build());
        c.setOptions(options(socket));
        return c;
      }
    }
  }

  private static ClientOptions options(SocketOptions.Builder socket) {
    return ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .replayFilter(SharedClient::neverReplay)
        .socketOptions(socket.build())
        .build();
  }

  private static RedisURI.Builder base(RedisConnStr conn, RedisURI.Builder b, Duration timeout) {
    b.withTimeout(timeout);
    if (!conn.password.isEmpty()) {
      if (conn.username.isEmpty()) {
        b.withPassword(conn.password.toCharArray());
      } else {
        b.withAuthentication(conn.username, conn.password.toCharArray());
      }
    }
    if (conn.tls) {
      b.withSsl(true).withVerifyPeer(conn.skipVerify ? SslVerifyMode.NONE : SslVerifyMode.FULL);
    }
    if (!conn.clientName.isEmpty()) {
      b.withClientName(conn.clientName);
    }
    return b;
  }

  /**
   * Lettuce drops filtered commands without completing them, so they would hang until their
   * timeout: fail them here, at once, so the queue's own retry policy takes over.
   */
  private static boolean neverReplay(io.lettuce.core.protocol.RedisCommand<?, ?, ?> cmd) {
    cmd.completeExceptionally(new io.lettuce.core.RedisConnectionException(
        "connection lost with the command in flight; not replayed (its effect is unknown)"));
    return true;
  }
}
