package io.queuekit.postgres;

import io.queuekit.QueueConfigException;
import io.queuekit.QueueSettings;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueueFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Serves {@code TYPE=postgres} (alias {@code postgresql}): opens {@link PostgresQueue}s in the
 * database and schema named by {@code CONN_STR} ({@code postgres://USER:PASSWORD@HOST:PORT/DB
 * ?schema=…&pool=…} or {@code jdbc:postgresql://…}), sharing one connection pool, one {@code
 * LISTEN} connection and one beat per connection string among the queues this factory opens.
 * The tables are created at the first open (see {@link PostgresQueue} for the layout), unless
 * the queue is opened with {@link BaseQueueConfig.Open#EXISTING}: then the schema, its tables and
 * the queue's row must exist (else {@link io.queuekit.spi.StoreNotFoundException}, nothing
 * created), and the queue is opened as its stored flavour.
 *
 * <p><b>Thread-safety:</b> {@link #create} may be called from several threads at once.
 */
public final class PostgresQueueFactory implements BaseQueueFactory {
  private final Map<String, PgStore> stores = new HashMap<>();

  @Override
  public Set<String> types() {
    return Set.of("postgres");
  }

  @Override
  public Map<String, String> aliases() {
    return Map.of("postgresql", "postgres");
  }

  @Override
  public Set<String> connStrSchemes() {
    return PgConnStr.SCHEMES;
  }

  @Override
  public void validate(String type, String queue, QueueSettings settings) {
    parse(queue, settings.connStr());
  }

  @Override
  public BaseQueue create(String type, BaseQueueConfig config) {
    if (!"postgres".equals(type)) {
      throw new QueueConfigException("queue \"" + config.name() + "\": the postgres backend "
          + "does not serve TYPE=" + type);
    }
    PgConnStr conn = parse(config.name(), config.settings().connStr());
    boolean existing = config.open() == BaseQueueConfig.Open.EXISTING;
    PgStore store = acquire(conn, config.name(), existing);
    try {
      boolean unique = config.unique();
      if (existing) {
        // the stored flavour, read first: the queue is built for it
        Boolean stored = new PgCalls(store, config.name(), config.queueFullName()).storedFlavour();
        if (stored == null) {
          throw PostgresQueue.notFound(config.name(), config.queueFullName(), store);
        }
        unique = stored;
      }
      PostgresQueue queue = new PostgresQueue(config, unique, store, () -> release(store));
      queue.open(existing);
      return queue;
    } catch (RuntimeException e) {
      release(store);
      throw e;
    }
  }

  private static PgConnStr parse(String queue, String connStr) {
    try {
      return PgConnStr.parse(connStr);
    } catch (QueueConfigException e) {
      throw new QueueConfigException("queue \"" + queue + "\": " + e.getMessage(), e);
    }
  }

  private PgStore acquire(PgConnStr conn, String queue, boolean existing) {
    synchronized (stores) {
      PgStore s = stores.get(conn.key());
      if (s == null) {
        s = PgStore.open(conn, queue, () -> closeIfIdle(conn.key()), existing);
        s.start();
        stores.put(conn.key(), s);
      }
      s.retain();
      return s;
    }
  }

  private void release(PgStore store) {
    synchronized (stores) {
      store.release();
    }
  }

  private void closeIfIdle(String key) {
    synchronized (stores) {
      PgStore s = stores.get(key);
      if (s != null && s.idle()) {
        stores.remove(key);
        s.close();
      }
    }
  }
}
