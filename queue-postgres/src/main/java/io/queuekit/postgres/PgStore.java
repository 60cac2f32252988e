package io.queuekit.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueUnavailableException;
import io.queuekit.internal.OutageBackoff;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the queues of one process share on one PostgreSQL schema: the connection pool, one {@code
 * LISTEN} connection, and one thread that reads notifications and beats for all of them (each
 * queue claims under a consumer id of its own, so one queue's crash can be told from another's).
 *
 * <p><b>Waking.</b> The process listens on one channel, {@code queuekit_<channel>}. A claim loop
 * that finds nothing registers its queue in {@code queuekit_waiter}; a push (or release, replay,
 * recovery) deletes up to one registration per item it made ready and notifies those processes
 * only, so k items wake at most k waiters. An idle waiter runs no query until its registration
 * could lapse (2 × {@code CONSUMER_TIMEOUT}; it lasts 3 ×), then registers again: a lost wake-up
 * costs at most that.
 *
 * <p><b>Beats.</b> The thread runs {@code queuekit_tick}, on its listening connection (never
 * short of a pooled one under load), once per third of the smallest {@code
 * CONSUMER_TIMEOUT} while this process holds deliveries, else once per {@code CONSUMER_TIMEOUT}:
 * it refreshes the consumers' beats (not the waiter registrations: a push must never meet the
 * beat's lock on one, see {@code queuekit_wake}), and names the open queues whose items are in
 * flight under a silent consumer; those queues then recover them. An idle process costs the
 * server one statement per {@code CONSUMER_TIMEOUT}, plus each idle queue's claim once per 2 ×
 * {@code CONSUMER_TIMEOUT}.
 *
 * <p><b>Outages.</b> The thread reconnects with the outage backoff (100 ms doubling to 5 s).
 * Once it has failed to reach the server, {@link #connection()} no longer waits the pool's 2 s
 * connection timeout for each call: one caller at a time, at most once per 100 ms, tries a
 * connection of its own (refused at once while nothing listens), and every other call fails at
 * once. The first such try that connects ends the outage for all and wakes the thread, so calls
 * work again as soon as the server does.
 *
 * <p><b>Thread-safety:</b> every method may be called from any thread.
 */
final class PgStore {
  private static final Logger LOG = LoggerFactory.getLogger(PgStore.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  final PgConnStr conn;
  /** The channel this process listens on, {@code queuekit_<channel>}. */
  final String channel;
  private final HikariDataSource pool;
  private final Map<String, PostgresQueue> queues = new ConcurrentHashMap<>();
  private final Thread thread;
  private final Runnable closeIfIdle;
  private volatile boolean stopped;
  private final AtomicLong failedAcquisitions = new AtomicLong();
  private final AtomicLong probes = new AtomicLong();
  /** Since when and why the server cannot be reached, or null while it can (see connection()). */
  private volatile Outage outage;
  /** One caller at a time tries the server in an outage; the others fail at once. */
  private final ReentrantLock probing = new ReentrantLock();
  /** When the last caller's try ended (System.nanoTime); guarded by probing. */
  private long lastProbe = System.nanoTime() - PROBE_INTERVAL_NANOS;
  /** The thread's backoff waits on this; a probe that connects cuts the wait short. */
  private final Object backoffWait = new Object();

  /**
   * How often callers try the server in an outage, at most: a busy process meeting a dead server
   * must not send it a connection attempt per call.
   */
  private static final long PROBE_INTERVAL_NANOS = OutageBackoff.MIN_NANOS;
  /**
   * How long a call waits for a connection while the server is away: the pool's wait, and a
   * caller's try of its own (connect and log-in). Short, so a close or a shutdown in an outage
   * does not add up many waits.
   */
  private static final int CONNECTION_TIMEOUT_SECONDS = 2;
  /** Bumped by every end of an outage: a listener try begun before it cannot start it again. */
  private final AtomicLong outagesEnded = new AtomicLong();

  private record Outage(Instant since, SQLException cause) {}
  /** Queues using the store; guarded by the factory's lock. */
  private volatile int refs;
  /** When the last queue left (System.nanoTime), or 0 while one uses the store. */
  private volatile long idleSince;

  private PgStore(PgConnStr conn, HikariDataSource pool, Runnable closeIfIdle) {
    this.conn = conn;
    this.pool = pool;
    this.closeIfIdle = closeIfIdle;
    byte[] id = new byte[8];
    RANDOM.nextBytes(id);
    this.channel = HexFormat.of().formatHex(id);
    this.thread = new Thread(this::run, "queuekit-postgres-" + channel);
    thread.setDaemon(true);
  }

  /**
   * Opens the pool and installs the layout (with {@code existing}, only checks that it is
   * there); the caller starts the thread with {@link #start}.
   * {@code closeIfIdle} is run by the store's thread once no queue has used it for {@link
   * #LINGER}: the factory then closes it under its lock unless a queue came back.
   */
  static PgStore open(PgConnStr conn, String queue, Runnable closeIfIdle, boolean existing) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(conn.jdbcUrl());
    if (conn.user() != null) {
      cfg.setUsername(conn.user());
    }
    if (conn.password() != null) {
      cfg.setPassword(conn.password());
    }
    cfg.setMaximumPoolSize(conn.poolSize());
    cfg.setMinimumIdle(Math.min(2, conn.poolSize()));
    cfg.setPoolName("queuekit-postgres");
    cfg.setConnectionTimeout(TimeUnit.SECONDS.toMillis(CONNECTION_TIMEOUT_SECONDS));
    cfg.setInitializationFailTimeout(-1);
    cfg.addDataSourceProperty("currentSchema", conn.schema());
    cfg.addDataSourceProperty("ApplicationName", "queuekit");
    HikariDataSource pool = new HikariDataSource(cfg);
    try (Connection c = pool.getConnection()) {
      if (existing) {
        PgLayout.check(c, conn, queue);
      } else {
        PgLayout.install(c, conn.schema());
      }
    } catch (PgLayout.NewerLayoutException e) {
      pool.close();
      throw PgLayout.refusal(queue, conn, e.found);
    } catch (SQLException e) {
      pool.close();
      throw PgErrors.open(queue, conn, e);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    return new PgStore(conn, pool, closeIfIdle);
  }

  /**
   * How long a store outlives its last queue: a queue closed and opened again (a restart inside
   * the process, a test's crash and reopen) keeps the pool and the listener instead of paying
   * for new connections and logins.
   */
  static final Duration LINGER = Duration.ofSeconds(2);

  void start() {
    thread.start();
  }

  /**
   * A pooled connection. In an outage (see the class comment), first a try of the server's own,
   * or a failure at once: the pool would make each caller wait its whole connection timeout for
   * a server known to be away.
   */
  Connection connection() throws SQLException {
    if (outage != null) {
      probe();
    }
    try {
      return pool.getConnection();
    } catch (SQLException e) {
      failedAcquisitions.incrementAndGet();
      throw e;
    }
  }

  /** How many times a caller waited for a pooled connection and got none (tests count them). */
  long failedAcquisitions() {
    return failedAcquisitions.get();
  }

  /** How many times a caller tried the server in an outage (tests count them). */
  long probes() {
    return probes.get();
  }

  /**
   * In an outage: returns if the server answers again (the outage is over), else throws at once.
   * One caller at a time tries, at most once per {@link #PROBE_INTERVAL_NANOS}.
   */
  private void probe() throws SQLException {
    if (probing.tryLock()) {
      try {
        Outage o = outage;
        if (o == null) {
          return; // another caller or the thread found the server back
        }
        if (System.nanoTime() - lastProbe >= PROBE_INTERVAL_NANOS) {
          probes.incrementAndGet();
          try (Connection c = connect("queuekit-probe", CONNECTION_TIMEOUT_SECONDS)) {
            ended();
            return;
          } catch (SQLException e) {
            if (!PgErrors.unreachable(e)) {
              // the server answers (a refused login, a missing database): no outage; the pool's
              // connection attempt reports what is wrong
              ended();
              return;
            }
            outage = new Outage(o.since(), e);
          } finally {
            lastProbe = System.nanoTime();
          }
        }
      } finally {
        probing.unlock();
      }
    }
    Outage o = outage;
    if (o != null) {
      throw new SQLTransientConnectionException("unreachable since " + o.since()
          + " (calls fail at once until it answers again)", "08001", o.cause());
    }
  }

  /** The outage is over: calls use the pool again, and the thread reconnects now. */
  private void ended() {
    outagesEnded.incrementAndGet();
    outage = null;
    synchronized (backoffWait) {
      backoffWait.notifyAll();
    }
  }

  /** Counts one more queue using this store (under the factory's lock). */
  void retain() {
    refs++;
    idleSince = 0;
  }

  /** Counts one queue less (under the factory's lock); the store lingers, then closes. */
  void release() {
    if (--refs == 0) {
      idleSince = System.nanoTime() | 1;
    }
  }

  /** Whether no queue has used the store for {@link #LINGER} (under the factory's lock). */
  boolean idle() {
    long since = idleSince;
    return refs == 0 && since != 0 && System.nanoTime() - since >= LINGER.toNanos();
  }

  /** Stops the thread (it ends within one notification wait) and closes the pool. */
  void close() {
    stopped = true;
    pool.close();
  }

  void register(PostgresQueue q) {
    PostgresQueue old = queues.putIfAbsent(q.storageName(), q);
    if (old != null) {
      throw new QueueConfigException("queue \"" + q.name() + "\" (" + q.storageName()
          + ") is already open in this process on " + conn);
    }
  }

  void unregister(PostgresQueue q) {
    queues.remove(q.storageName(), q);
  }

  /** The notification and beat loop; reconnects with capped backoff while the server is away. */
  private void run() {
    long backoff = 0;
    boolean down = false;
    long nextTick = 0;
    // Whether a beat ran (with a queue open) since the listener connected, and when: the next is
    // due a tick interval later, an interval computed anew each turn, so a queue that registers,
    // or starts holding deliveries, brings it forward rather than waiting out an interval chosen
    // without it (30 s while no queue was open). With no beat yet, one is due at once.
    boolean beaten = false;
    long lastTick = 0;
    long tickBackoff = 0;
    while (!stopped) {
      try (Connection listen = connectListener()) {
        try (Statement s = listen.createStatement()) {
          s.execute("LISTEN queuekit_" + channel);
        }
        outage = null;
        if (down) {
          LOG.info("PostgreSQL at {} is reachable again", conn);
          down = false;
        }
        backoff = 0;
        // notifications sent while we were not listening are lost: every waiter looks again
        queues.values().forEach(q -> q.waits().wakeAll());
        PGConnection pg = listen.unwrap(PGConnection.class);
        while (!stopped) {
          if (idle()) {
            closeIfIdle.run();
            continue;
          }
          long now = System.nanoTime();
          if (tickBackoff == 0) {
            nextTick = beaten ? lastTick + tickInterval().toNanos() : now;
          }
          if (now - nextTick >= 0) {
            // a beat that fails while the listener works (the pool taken by handlers, a statement
            // refused) is retried on its own backoff: closing the listener for it would lose
            // notifications and reconnect at once, over and over
            try {
              // with no queue open nothing beats (no statement): the first queue's is due at once
              beaten = tick(listen);
              lastTick = now;
              if (tickBackoff != 0) {
                LOG.info("PostgreSQL at {}: the beat works again", conn);
                tickBackoff = 0;
              }
              nextTick = System.nanoTime() + tickInterval().toNanos();
            } catch (SQLException | RuntimeException e) {
              if (stopped || listen.isClosed()) {
                throw e; // closing, or the connection broke: the outage path says so
              }
              if (tickBackoff == 0) {
                LOG.warn("PostgreSQL at {}: the beat failed ({}); retrying with backoff", conn,
                    PgErrors.message(e));
              }
              tickBackoff = OutageBackoff.next(tickBackoff);
              nextTick = System.nanoTime() + tickBackoff;
            }
          }
          long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextTick - System.nanoTime()));
          PGNotification[] got = pg.getNotifications((int) Math.min(waitMs, 500));
          if (got != null) {
            for (PGNotification n : got) {
              dispatch(n.getParameter());
            }
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (stopped) {
          return;
        }
        Outage seen = outage;
        if (!down) {
          LOG.warn("PostgreSQL at {} is unreachable ({}); waiting for it to return", conn,
              PgErrors.message(e));
          down = true;
        }
        queues.values().forEach(q -> q.waits().wakeAll());
        tickBackoff = 0; // the outage's messages cover the beat
        beaten = false; // and it runs first thing on return
        backoff = OutageBackoff.next(backoff);
        try {
          // the outage backoff of this thread, cut short by a caller whose try connected
          synchronized (backoffWait) {
            if (seen == null || outage != null) {
              TimeUnit.NANOSECONDS.timedWait(backoffWait, backoff);
            }
          }
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /**
   * The listening connection; a failure to reach the server starts an outage (see the class
   * comment). A pool that merely has no free connection (handlers hold them all) is no outage:
   * its callers wait for one.
   */
  private Connection connectListener() throws SQLException {
    long ended = outagesEnded.get();
    try {
      return connect("queuekit-listen", 5);
    } catch (SQLException e) {
      // a caller's try may have found the server back while this one (up to 5 s) was failing:
      // then the outage is over, and this failure must not start it again
      if (PgErrors.unreachable(e) && outagesEnded.get() == ended) {
        Outage o = outage;
        outage = new Outage(o == null ? Instant.now() : o.since(), e);
      }
      throw e;
    }
  }

  /** A connection of its own, outside the pool: the listener's, or a caller's try. */
  private Connection connect(String applicationName, int connectTimeoutSeconds)
      throws SQLException {
    Properties p = new Properties();
    if (conn.user() != null) {
      p.setProperty("user", conn.user());
    }
    if (conn.password() != null) {
      p.setProperty("password", conn.password());
    }
    p.setProperty("ApplicationName", applicationName);
    p.setProperty("currentSchema", conn.schema()); // the beat runs here too
    p.setProperty("connectTimeout", Integer.toString(connectTimeoutSeconds));
    // the whole connect, log-in and TLS included: connectTimeout bounds only the TCP connect, and
    // a server (or proxy) that accepts and then stalls would hold a caller's try without end
    p.setProperty("loginTimeout", Integer.toString(connectTimeoutSeconds));
    p.setProperty("tcpKeepAlive", "true");
    return DriverManager.getConnection(conn.jdbcUrl(), p);
  }

  private void dispatch(String payload) {
    if (payload == null || payload.length() < 2) {
      return;
    }
    PostgresQueue q = queues.get(payload.substring(1));
    if (q == null) {
      return;
    }
    if (payload.charAt(0) == 'w') {
      q.waits().wakeClaim();
    } else {
      q.waits().wakeRoom();
    }
  }

  /** A third of the smallest CONSUMER_TIMEOUT while deliveries are held, else all of it. */
  private Duration tickInterval() {
    Duration min = Duration.ofSeconds(30);
    boolean holding = false;
    for (PostgresQueue q : queues.values()) {
      if (q.consumerTimeout().compareTo(min) < 0) {
        min = q.consumerTimeout();
      }
      holding |= q.holding();
    }
    return holding ? min.dividedBy(3) : min;
  }

  /**
   * One beat: refresh, then recover the queues a silent consumer left items in; false when no
   * queue is open (nothing to beat). It runs on the listening connection, not the pool's:
   * handlers and claims that take every pooled connection under load must not keep the beat
   * from landing, or this process's consumers look dead to the others, which then recover the
   * items under them.
   */
  private boolean tick(Connection c) throws SQLException {
    if (queues.isEmpty()) {
      return false;
    }
    List<String> names = new ArrayList<>();
    List<String> consumers = new ArrayList<>();
    long minTimeout = Long.MAX_VALUE;
    for (PostgresQueue q : queues.values()) {
      names.add(q.storageName());
      consumers.add(q.consumer());
      minTimeout = Math.min(minTimeout, q.consumerTimeout().toMillis());
    }
    List<String> toRecover = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement("SELECT * FROM queuekit_tick(?, ?, ?)")) {
      s.setArray(1, c.createArrayOf("text", consumers.toArray()));
      s.setArray(2, c.createArrayOf("text", names.toArray()));
      s.setLong(3, minTimeout);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          toRecover.add(r.getString(1));
        }
      }
    }
    for (String name : toRecover) {
      PostgresQueue q = queues.get(name);
      if (q != null) {
        q.recoverSilentConsumers();
      }
    }
    return true;
  }
}
