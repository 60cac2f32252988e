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
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs and checks the storage layout of one schema: the tables and functions of {@code
 * layout-1.sql}, created on first use in one transaction under an advisory lock (so processes
 * opening a new schema at once install it once), and refused, naming both versions, when the
 * schema holds a newer layout than this code knows.
 *
 * <p><b>Functions revision.</b> The tables of a layout never change, but a release may fix a
 * function body. {@code queuekit_layout.functions} records the revision of the functions a schema
 * holds ({@link #FUNCTIONS_REVISION} of the code that installed or last replaced them). Each
 * {@link #install}, in its transaction and under its lock, compares it with the code's: older,
 * it runs the file's function statements again (all {@code CREATE OR REPLACE}; the tables,
 * indexes and sequences are not touched) and records the code's revision; newer, it leaves them
 * alone, as newer code installed them and old code must not downgrade them. Replacing needs
 * ownership of the functions: a role without it opens on the older functions, with a warning
 * saying who may replace them. The record is a column of {@code queuekit_layout} rather than a
 * table of its own because roles that use a schema were granted their rights on its tables when
 * it was installed: a column added later is covered by those grants, a table added later is not.
 * A schema installed before the column existed has none; it is added on upgrade, and the missing
 * record counts as older than every revision, since such a schema may hold bodies of builds
 * older than revision 1 (replacing revision 1's own bodies with themselves is harmless).
 * {@link #check} (opening an existing queue: read only) neither reads nor writes the record.
 *
 * <p><b>Thread-safety:</b> stateless.
 */
final class PgLayout {
  private static final Logger LOG = LoggerFactory.getLogger(PgLayout.class);

  /** The layout this code writes. */
  static final int VERSION = 1;
  /**
   * The revision of the function bodies of layout-{@link #VERSION}.sql. Raise it whenever a
   * function body there changes, so schemas installed earlier get the new body at their next
   * open. A body must stay callable by code of the previous revision, since processes of both
   * run during a rolling upgrade; a change of signature or return type needs a new layout version
   * instead ({@code CREATE OR REPLACE} cannot change a return type, and a new signature adds a
   * function beside the old one).
   *
   * <p>1: as first released. 2: {@code queuekit_push_all} wakes once for its batch, not once per
   * item ({@code queuekit_admit} added: a push without its wake).
   */
  static final int FUNCTIONS_REVISION = 2;
  /** Advisory lock keys (class, object): install; {@code 1903520049}, {@code 1903520050} per queue. */
  private static final long INSTALL_LOCK = 1903520048L;

  private PgLayout() {}

  /**
   * Makes sure {@code schema} holds layout {@link #VERSION} with functions of revision {@link
   * #FUNCTIONS_REVISION} or newer (or warns, when this role may not replace older ones).
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
          recordFunctions(s);
        });
      } else if (found > VERSION) {
        throw new NewerLayoutException(found);
      } else if (found == VERSION) {
        refreshFunctions(c, s, schema);
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
   * Replaces the functions of {@code schema} (the search path) when it records an older revision
   * of them than {@link #FUNCTIONS_REVISION}, inside the caller's transaction; a role that may not
   * replace them is warned and goes on with the older ones.
   */
  private static void refreshFunctions(Connection c, Statement s, String schema)
      throws SQLException {
    boolean column = Step.USE.call(() -> {
      try (ResultSet r = s.executeQuery("SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE "
          + "attrelid = 'queuekit_layout'::regclass AND attname = 'functions' "
          + "AND NOT attisdropped)")) {
        r.next();
        return r.getBoolean(1);
      }
    });
    Integer found = !column ? null : Step.USE.call(() -> {
      try (ResultSet r = s.executeQuery("SELECT max(functions) FROM queuekit_layout")) {
        r.next();
        int v = r.getInt(1);
        return r.wasNull() ? null : v;
      }
    });
    int older = found == null ? 0 : found;
    if (older == FUNCTIONS_REVISION) {
      return;
    }
    if (older > FUNCTIONS_REVISION) {
      LOG.debug("PostgreSQL schema {} holds queuekit's functions of revision {}, newer than this "
          + "version's {}: left as they are", schema, found, FUNCTIONS_REVISION);
      return;
    }
    // the replacement is undone alone when refused, so the open goes on in this transaction
    Savepoint before = c.setSavepoint();
    try {
      if (!column) {
        s.execute("ALTER TABLE queuekit_layout ADD COLUMN functions int");
      }
      for (String statement : statements()) {
        if (createsFunction(statement)) {
          s.execute(statement);
        }
      }
      recordFunctions(s);
    } catch (SQLException e) {
      // CREATE OR REPLACE and ALTER TABLE need ownership; any other failure fails the open
      if (!"42501".equals(e.getSQLState())) {
        throw e;
      }
      c.rollback(before);
      String[] who = userAndOwner(s);
      LOG.warn("PostgreSQL schema {} holds queuekit's functions of revision {}, older than this "
          + "version's revision {}, and user {} may not replace them (only their owner may): "
          + "queues work on the older functions, which lack the changes of later revisions. Open a "
          + "queue once as {} to replace them", schema, revision(found), FUNCTIONS_REVISION,
          who[0], who[1] == null ? "the owner of queuekit's functions" : who[1]);
      return;
    }
    c.releaseSavepoint(before);
    LOG.info("PostgreSQL schema {}: replaced queuekit's functions of revision {} with revision {}",
        schema, revision(found), FUNCTIONS_REVISION);
  }

  private static void recordFunctions(Statement s) throws SQLException {
    s.executeUpdate("UPDATE queuekit_layout SET functions = " + FUNCTIONS_REVISION);
  }

  /** A recorded revision in words: null is a schema installed before revisions were recorded. */
  private static String revision(Integer found) {
    return found == null ? "none recorded (installed before queuekit recorded revisions)"
        : found.toString();
  }

  /** This role's name and that of the owner of the search path's queuekit functions (or null). */
  private static String[] userAndOwner(Statement s) throws SQLException {
    try (ResultSet r = s.executeQuery("SELECT current_user, (SELECT pg_get_userbyid(proowner) "
        + "FROM pg_proc WHERE proname = 'queuekit_claim' AND pronamespace = "
        + "(SELECT oid FROM pg_namespace WHERE nspname = current_schema()))")) {
      r.next();
      return new String[] {r.getString(1), r.getString(2)};
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

  /**
   * Whether {@code statement} (one of {@link #statements}) creates a function: the statements
   * {@link #install} runs again to replace the functions. Its first line that is no comment starts
   * with {@code CREATE OR REPLACE FUNCTION}.
   */
  static boolean createsFunction(String statement) {
    return statement.lines().filter(l -> !l.startsWith("--")).findFirst().orElse("")
        .startsWith("CREATE OR REPLACE FUNCTION ");
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
