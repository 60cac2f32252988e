package io.queuekit.postgres;

import io.queuekit.spi.StoreNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Installs and checks the storage layout of one schema: the tables and functions of {@code
 * layout-1.sql}, created on first use in one transaction under an advisory lock (so processes
 * opening a new schema at once install it once), and refused, naming both versions, when the
 * schema holds a newer layout than this code knows.
 *
 * <p><b>Thread-safety:</b> stateless.
 */
final class PgLayout {
  /** The layout this code writes. */
  static final int VERSION = 1;
  /** Advisory lock keys (class, object): install; {@code 1903520049}, {@code 1903520050} per queue. */
  private static final long INSTALL_LOCK = 1903520048L;

  private PgLayout() {}

  /**
   * Makes sure {@code schema} holds layout {@link #VERSION}.
   *
   * @throws SQLException from the server (no privilege to create, say)
   * @throws NewerLayoutException the schema holds a newer layout
   */
  static void install(Connection c, String schema) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("SELECT pg_advisory_xact_lock(" + INSTALL_LOCK + ")");
      Boolean usable = schemaUsable(c, schema);
      if (usable == null) {
        // only when absent: CREATE SCHEMA asks for CREATE on the database even when the schema
        // exists, which a role using a schema its owner installed need not have
        Step.SCHEMA.run(() -> s.execute("CREATE SCHEMA IF NOT EXISTS \"" + schema + "\""));
      } else if (!usable) {
        // without USAGE the search path skips the schema: the tables would look absent
        throw noUsage(schema);
      }
      s.execute("SET LOCAL search_path TO \"" + schema + "\"");
      Integer found = Step.USE.call(() -> {
        try (ResultSet r = s.executeQuery("SELECT to_regclass('queuekit_layout') IS NOT NULL")) {
          r.next();
          if (!r.getBoolean(1)) {
            return null;
          }
        }
        try (ResultSet v = s.executeQuery("SELECT max(version) FROM queuekit_layout")) {
          v.next();
          return v.getInt(1);
        }
      });
      if (found == null) {
        Step.TABLES.run(() -> {
          for (String statement : statements()) {
            s.execute(statement);
          }
        });
      } else if (found > VERSION) {
        throw new NewerLayoutException(found);
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }

  /**
   * Checks, reading only, that {@code conn}'s schema holds a layout this code reads: for opening
   * an existing queue ({@link io.queuekit.spi.BaseQueueConfig.Open#EXISTING}), which must not
   * create the schema or its tables.
   *
   * @throws StoreNotFoundException the schema, or queuekit's tables in it, do not exist
   * @throws NewerLayoutException the schema holds a newer layout
   * @throws SQLException from the server; a role without USAGE on the schema as a {@link
   *     StepException} of {@link Step#USE}
   */
  static void check(Connection c, PgConnStr conn, String queue) throws SQLException {
    String schema = conn.schema();
    Boolean usable = schemaUsable(c, schema);
    if (usable == null) {
      throw new StoreNotFoundException("queue \"" + queue + "\": no store: PostgreSQL at " + conn
          + " has no schema " + schema + "; nothing was created. Check CONN_STR's database and "
          + "schema");
    }
    if (!usable) {
      throw noUsage(schema);
    }
    try (PreparedStatement p = c.prepareStatement("SELECT to_regclass(quote_ident(?) || "
        + "'.queuekit_layout') IS NOT NULL")) {
      p.setString(1, schema);
      try (ResultSet r = p.executeQuery()) {
        r.next();
        if (!r.getBoolean(1)) {
          throw new StoreNotFoundException("queue \"" + queue + "\": no store: schema " + schema
              + " of PostgreSQL at " + conn + " holds no queuekit tables; nothing was created. "
              + "Check CONN_STR's database and schema");
        }
      }
    }
    Integer found = Step.USE.call(() -> {
      try (Statement s = c.createStatement();
          ResultSet v = s.executeQuery("SELECT max(version) FROM \"" + schema
              + "\".queuekit_layout")) {
        v.next();
        return v.getInt(1);
      }
    });
    if (found > VERSION) {
      throw new NewerLayoutException(found);
    }
  }

  /** This role has no USAGE on {@code schema}: refused at {@link Step#USE}, as the server would. */
  private static StepException noUsage(String schema) {
    return new StepException(Step.USE, new SQLException("permission denied for schema " + schema,
        "42501"));
  }

  /** Whether {@code schema} may be used by this role; null when it does not exist. */
  private static Boolean schemaUsable(Connection c, String schema) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("SELECT has_schema_privilege(oid, 'USAGE') "
        + "FROM pg_namespace WHERE nspname = ?")) {
      p.setString(1, schema);
      try (ResultSet r = p.executeQuery()) {
        return r.next() ? r.getBoolean(1) : null;
      }
    }
  }

  /** The steps of {@link #install} whose refusal tells an operator different things to grant. */
  enum Step {
    /** Creating the schema: CREATE on the database. */
    SCHEMA,
    /** Reading the layout an owner installed: USAGE on the schema, then rights on its tables. */
    USE,
    /** Creating the tables and functions: CREATE on the schema. */
    TABLES;

    void run(SqlAction a) throws SQLException {
      call(() -> {
        a.run();
        return null;
      });
    }

    <T> T call(SqlCall<T> a) throws SQLException {
      try {
        return a.call();
      } catch (SQLException e) {
        throw new StepException(this, e);
      }
    }
  }

  interface SqlAction {
    void run() throws SQLException;
  }

  interface SqlCall<T> {
    T call() throws SQLException;
  }

  /** A failure of {@link #install} at {@link #step}, with the server's SQLSTATE. */
  static final class StepException extends SQLException {
    private static final long serialVersionUID = 1L;
    final Step step;

    StepException(Step step, SQLException cause) {
      super(cause.getMessage(), cause.getSQLState(), cause);
      this.step = step;
    }
  }

  /** The statements of layout-1.sql, split at lines holding only {@code --;}. */
  static List<String> statements() {
    try (InputStream in = PgLayout.class.getResourceAsStream("layout-" + VERSION + ".sql")) {
      if (in == null) {
        throw new IllegalStateException("layout-" + VERSION + ".sql is missing from the jar");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<String> out = new ArrayList<>();
      for (String part : text.split("\n--;\n")) {
        if (!part.isBlank()) {
          out.add(part.strip());
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The error for a schema holding layout {@code found}, newer than {@link #VERSION}. */
  static io.queuekit.QueueConfigException refusal(String queue, PgConnStr conn, int found) {
    return new io.queuekit.QueueConfigException("queue \"" + queue + "\": schema "
        + conn.schema() + " of " + conn + " holds queuekit layout " + found
        + ", newer than this version's layout " + VERSION + "; upgrade queuekit");
  }

  /** The schema holds a layout newer than this code. */
  static final class NewerLayoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int found;

    NewerLayoutException(int found) {
      super("layout " + found);
      this.found = found;
    }
  }
}
