package io.queuekit.postgres;

import io.queuekit.QueueConfigException;
import io.queuekit.QueueException;
import io.queuekit.QueueUnavailableException;
import io.queuekit.internal.ConnStrings;
import java.net.UnknownHostException;
import java.sql.SQLException;

/**
 * Turns a driver or pool failure into the exception a queue throws, naming the queue, the
 * operation and the server (password masked), and saying what to do for the failures an operator
 * can fix: a refused password, a missing database, no privilege to create the tables.
 *
 * <p><b>Thread-safety:</b> stateless.
 */
final class PgErrors {
  private PgErrors() {}

  /** The failure to open {@code queue} (first connection, layout install). */
  static QueueException open(String queue, PgConnStr conn, SQLException e) {
    String state = sqlState(e);
    String where = "queue \"" + queue + "\": PostgreSQL at " + conn;
    switch (state) {
      case "28P01":
      case "28000":
        return new QueueConfigException(where + " refused the login of user "
            + (conn.user() == null ? "(none)" : conn.user()) + ": check the user and password in "
            + "CONN_STR (" + message(e) + ")", e);
      case "3D000":
        return new QueueConfigException(where + ": the database does not exist; create it or fix "
            + "CONN_STR (" + message(e) + ")", e);
      case "42501":
        return new QueueConfigException(where + ": user "
            + (conn.user() == null ? "(none)" : conn.user()) + " " + refused(conn, e) + " ("
            + message(e) + ")", e);
      default:
        return new QueueUnavailableException(where + " is unavailable (open): " + message(e), e);
    }
  }

  /** What a role refused at open may not do, and what to grant, by the step that failed. */
  private static String refused(PgConnStr conn, SQLException e) {
    PgLayout.Step step = e instanceof PgLayout.StepException s ? s.step : PgLayout.Step.TABLES;
    String schema = conn.schema();
    switch (step) {
      case SCHEMA:
        return "may not create schema " + schema + "; grant CREATE on the database, or have "
            + "its owner create the schema";
      case USE:
        return "may not use queuekit's tables in schema " + schema + "; grant USAGE on the "
            + "schema, SELECT, INSERT, UPDATE, DELETE on all tables in it and USAGE on all "
            + "sequences in it (see the README's PostgreSQL section)";
      default:
        return "may not create queuekit's tables in schema " + schema + "; grant CREATE on it, "
            + "or have an owner open the queue once";
    }
  }

  /** The failure of {@code op} on an open queue: the store is unavailable. */
  static QueueUnavailableException call(String queue, PgConnStr conn, String op, Exception e) {
    return new QueueUnavailableException("queue \"" + queue + "\": PostgreSQL at " + conn
        + " is unavailable (" + op + "): " + message(e), e);
  }

  /** Whether {@code e} means "try the call again now": a deadlock, a serialization failure. */
  static boolean retryNow(SQLException e) {
    String s = sqlState(e);
    return s.equals("40P01") || s.equals("40001") || s.equals("23505");
  }

  /**
   * Whether {@code e} means the connection was lost or could not be had: a pooled connection the
   * server dropped (a restart), the pool's wait for a new one.
   */
  static boolean connectionLost(SQLException e) {
    String s = sqlState(e);
    return e instanceof java.sql.SQLTransientConnectionException || s.startsWith("08")
        || s.equals("57P01") || s.equals("57P02") || s.equals("57P03");
  }

  /**
   * Whether a new connection failed for want of a server to talk to: nothing listening, an
   * unknown host, a timeout (pgjdbc's 08001), or a server starting up or shutting down (57P03);
   * not a refused login or a missing database, which the pool's callers are told themselves.
   */
  static boolean unreachable(SQLException e) {
    String s = sqlState(e);
    return s.startsWith("08") || s.equals("57P03");
  }

  /**
   * The message of {@code e} and of its root, with any password masked; an unknown host first,
   * in words: the pool reports one as a timed-out wait, and the resolver's exception names the
   * host and nothing else.
   */
  static String message(Throwable e) {
    Throwable t = e;
    UnknownHostException unknown = e instanceof UnknownHostException u ? u : null;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      if (unknown == null && t instanceof UnknownHostException u) {
        unknown = u;
      }
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    if (t != e && e.getMessage() != null && !e.getMessage().equals(m)) {
      m = e.getMessage() + ": " + m;
    }
    if (unknown != null) {
      // the resolver's message is the host, sometimes followed by ": " and its reason
      String host = String.valueOf(unknown.getMessage());
      m = "unknown host " + host + " (" + m + ")";
    }
    return ConnStrings.mask(m);
  }

  private static String sqlState(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        return s.getSQLState();
      }
    }
    return "";
  }
}
