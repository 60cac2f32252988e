package io.queuekit.conformance.postgres;

import java.util.List;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One throwaway {@link PostgresServer} per test JVM, started by the first test class that needs
 * it and stopped when JUnit finishes (it lives in the root context's store), and a new database
 * per test class. The server loads {@code pg_stat_statements}, so tests can count statements:
 *
 * <pre>
 *   &#64;RegisterExtension
 *   static final PostgresExtension pg = new PostgresExtension();
 *   ... pg.connStr() ...
 * </pre>
 *
 * <p><b>Thread-safety:</b> driven by JUnit, one class at a time.
 */
public final class PostgresExtension implements BeforeAllCallback {
  private PostgresServer server;
  private String database;

  @Override
  public void beforeAll(ExtensionContext context) {
    server = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(PostgresServer.class, k -> new Shared(PostgresServer.start(
            List.of("shared_preload_libraries=pg_stat_statements"))),
            Shared.class).server;
    database = server.createDatabase();
  }

  /** The server. */
  public PostgresServer server() {
    if (server == null) {
      throw new IllegalStateException("the PostgreSQL server is started before the test class");
    }
    return server;
  }

  /** This test class's database. */
  public String database() {
    server();
    return database;
  }

  /** The {@code CONN_STR} of this test class's database. */
  public String connStr() {
    return server().connStr(database);
  }

  /** Closes the shared server when the root context closes. */
  private record Shared(PostgresServer server)
      implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    @Override
    public void close() {
      server.close();
    }
  }
}
