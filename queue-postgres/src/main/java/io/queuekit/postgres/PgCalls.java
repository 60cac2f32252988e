package io.queuekit.postgres;

import io.queuekit.QueueUnavailableException;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreStats;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The SQL of one queue: each method is one call of a layout function (or one statement) in its
 * own transaction, on a pooled connection. A deadlock, a serialization failure or a unique-index
 * race (two moves of one identity into waiting at once) is tried again at once, up to 5 times,
 * and a connection lost during the call once; a connection the pool could not give is not asked
 * for again, so a call waits at most one connection timeout. Any other failure becomes a {@link
 * QueueUnavailableException} naming queue, operation and server, the password masked.
 *
 * <p><b>Thread-safety:</b> stateless beyond its constants; any thread.
 */
final class PgCalls {
  private static final int RETRIES = 5;

  private final PgStore store;
  private final String name;
  private final String q;

  PgCalls(PgStore store, String name, String q) {
    this.store = store;
    this.name = name;
    this.q = q;
  }

  /** A delivery list, or none and the earliest due time of the delayed items. */
  record Claimed(List<Delivery> deliveries, Long nextDue) {}

  /** How long a bulk statement may wait for its reply: see {@link #allowLong}. */
  static final java.time.Duration BULK_TIMEOUT = java.time.Duration.ofMinutes(10);

  @FunctionalInterface
  private interface Sql<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * For the statements whose work grows with the queue (remove-all, and replay or purge of every
   * dead letter): the connection's {@code socketTimeout} bounds what a silent host costs an
   * ordinary call, and one of these may legitimately run longer, so it may wait {@link
   * #BULK_TIMEOUT} (or the user's longer or unbounded {@code socketTimeout}). The pool puts the
   * connection's timeout back when it is returned.
   */
  private static void allowLong(Connection c) throws SQLException {
    int current = c.getNetworkTimeout();
    if (current != 0 && current < BULK_TIMEOUT.toMillis()) {
      c.setNetworkTimeout(Runnable::run, (int) BULK_TIMEOUT.toMillis());
    }
  }

  private <T> T call(String op, Sql<T> sql) {
    for (int attempt = 1; ; attempt++) {
      Connection pooled;
      try {
        pooled = store.connection();
      } catch (SQLException e) {
        // no connection to be had: the pool already waited its whole connectionTimeout (or the
        // store knows the server is down); asking again would only double the caller's wait
        throw PgErrors.call(name, store.conn, op, e);
      }
      try (Connection c = pooled) {
        return sql.run(c);
      } catch (SQLException e) {
        // a lost connection is tried once more on a fresh one: the pool drops the broken one,
        // and after a server restart its first new connection may come a moment late. The
        // failed send normally never reached the server; if it did and only the reply was lost,
        // a push may store its item twice (at-least-once), a settle answers STALE
        if (attempt < RETRIES && PgErrors.retryNow(e)
            || attempt == 1 && PgErrors.connectionLost(e)) {
          continue;
        }
        throw PgErrors.call(name, store.conn, op, e);
      }
    }
  }

  /** The flavour stored for the queue (true: unique), or null when it has no row; reads only. */
  Boolean storedFlavour() {
    return call("open", this::storedFlavour);
  }

  /** The flavour stored for the queue on {@code c}, or null when it has no row. */
  private Boolean storedFlavour(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
        "SELECT uniq FROM queuekit_queue WHERE queue = ?")) {
      s.setString(1, q);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? r.getBoolean(1) : null;
      }
    }
  }

  /**
   * Records the queue's flavour (first open wins) and LENGTH; returns the stored flavour. With
   * {@code existing}, records no queue: returns null, having written nothing, when there is none.
   *
   * @throws PgLayout.NewerLayoutException the schema now holds a newer layout (another process,
   *     a newer queuekit, upgraded it since this process installed or checked it)
   */
  Boolean openQueue(boolean unique, int length, boolean existing) {
    return call("open", c -> {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement s = c.prepareStatement("SELECT max(version) FROM queuekit_layout")) {
          int found = single(s).getInt(1);
          if (found > PgLayout.VERSION) {
            throw new PgLayout.NewerLayoutException(found);
          }
        }
        if (!existing) {
          try (PreparedStatement s = c.prepareStatement("INSERT INTO queuekit_queue (queue, uniq) "
              + "VALUES (?, ?) ON CONFLICT (queue) DO NOTHING")) {
            s.setString(1, q);
            s.setBoolean(2, unique);
            s.executeUpdate();
          }
        }
        Boolean stored = storedFlavour(c);
        if (stored == null) {
          c.rollback();
          return null;
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO queuekit_room (queue, slot, "
            + "cap) SELECT ?, x, ? / 8 + CASE WHEN x < ? % 8 THEN 1 ELSE 0 END "
            + "FROM generate_series(0, 7) x ON CONFLICT (queue, slot) DO UPDATE "
            + "SET cap = EXCLUDED.cap")) {
          s.setString(1, q);
          s.setLong(2, length);
          s.setLong(3, length);
          s.executeUpdate();
        }
        c.commit();
        return stored;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    });
  }

  /**
   * One item: 0 added, 1 duplicate, 2 full, 5 busy (every slot with room was locked: push again
   * with {@code blocking}, which waits for one).
   */
  int push(byte[] payload, byte[] digest, long delayMs, long nowMs, int hint, boolean blocking) {
    return call("push", c -> {
      try (PreparedStatement s = c.prepareStatement(
          "SELECT queuekit_push(?, ?, ?, ?, ?, ?, ?)")) {
        s.setString(1, q);
        s.setBytes(2, payload);
        s.setBytes(3, digest);
        s.setLong(4, delayMs);
        s.setLong(5, nowMs);
        s.setInt(6, hint);
        s.setBoolean(7, blocking);
        return single(s).getInt(1);
      }
    });
  }

  /**
   * After a push found the queue full: true when this process (listening on {@code channel}) is
   * now registered to be told of room, false when room appeared meanwhile.
   */
  boolean waitRoom(String channel) {
    return call("push", c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT queuekit_wait_room(?, ?)")) {
        s.setString(1, q);
        s.setString(2, channel);
        return single(s).getInt(1) == 3;
      }
    });
  }

  /** Pushes items in one transaction until full; a result (0 added, 1 duplicate) per admitted. */
  int[] pushAll(List<byte[]> payloads, List<byte[]> digests, long nowMs, int hint) {
    return call("pushAll", c -> {
      try (PreparedStatement s = c.prepareStatement(
          "SELECT queuekit_push_all(?, ?, ?, ?, ?)")) {
        s.setString(1, q);
        s.setArray(2, c.createArrayOf("bytea", payloads.toArray(new byte[0][])));
        s.setArray(3, c.createArrayOf("bytea", digests.toArray(new byte[0][])));
        s.setLong(4, nowMs);
        s.setInt(5, hint);
        Integer[] r = (Integer[]) single(s).getArray(1).getArray();
        int[] out = new int[r.length];
        for (int i = 0; i < r.length; i++) {
          out[i] = r[i];
        }
        return out;
      }
    });
  }

  Claimed claim(int max, long nowMs, String consumer, String channel, boolean wait, long ttlMs,
      long beatMs) {
    return call("claim", c -> {
      try (PreparedStatement s = c.prepareStatement(
          "SELECT * FROM queuekit_claim(?, ?, ?, ?, ?, ?, ?, ?)")) {
        s.setString(1, q);
        s.setInt(2, max);
        s.setLong(3, nowMs);
        s.setString(4, consumer);
        s.setString(5, channel);
        s.setBoolean(6, wait);
        s.setLong(7, ttlMs);
        s.setLong(8, beatMs);
        List<Delivery> out = new ArrayList<>();
        Long nextDue = null;
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            long id = r.getLong(1);
            if (r.wasNull()) {
              long due = r.getLong(6);
              nextDue = r.wasNull() ? null : due;
              continue;
            }
            out.add(new Delivery(id, r.getBytes(2), r.getInt(3), r.getInt(4),
                Instant.ofEpochMilli(r.getLong(5))));
          }
        }
        return new Claimed(out, nextDue);
      }
    });
  }

  List<Outcome> ack(List<Delivery> deliveries) {
    if (deliveries.isEmpty()) {
      return List.of();
    }
    Set<Long> done = call("ack", c -> {
      try (PreparedStatement s = c.prepareStatement("DELETE FROM queuekit_item WHERE queue = ? "
          + "AND state = 'F' AND delivery_id = ANY(?) RETURNING delivery_id")) {
        s.setString(1, q);
        s.setArray(2, ids(c, deliveries));
        Set<Long> found = new HashSet<>();
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            found.add(r.getLong(1));
          }
        }
        return found;
      }
    });
    List<Outcome> out = new ArrayList<>(deliveries.size());
    Set<Long> seen = new HashSet<>();
    for (Delivery d : deliveries) {
      // the same delivery twice in one call: the second is stale, as on every backend
      out.add(done.contains(d.id()) && seen.add(d.id()) ? Outcome.DONE : Outcome.STALE);
    }
    return out;
  }

  Outcome release(long deliveryId, long delayMs, long nowMs) {
    int r = call("release", c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT queuekit_release(?, ?, ?, ?)")) {
        s.setString(1, q);
        s.setLong(2, deliveryId);
        s.setLong(3, delayMs);
        s.setLong(4, nowMs);
        return single(s).getInt(1);
      }
    });
    return outcome(r);
  }

  List<Outcome> unclaim(List<Delivery> deliveries) {
    if (deliveries.isEmpty()) {
      return List.of();
    }
    Long[] outs = call("unclaim", c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT queuekit_unclaim(?, ?)")) {
        s.setString(1, q);
        s.setArray(2, ids(c, deliveries));
        return (Long[]) single(s).getArray(1).getArray();
      }
    });
    List<Outcome> out = new ArrayList<>(outs.length);
    for (Long o : outs) {
      out.add(outcome(o.intValue()));
    }
    return out;
  }

  Long bury(long deliveryId, String reason, long nowMs, int cap) {
    return call("deadLetter", c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT queuekit_bury(?, ?, ?, ?, ?)")) {
        s.setString(1, q);
        s.setLong(2, deliveryId);
        s.setString(3, reason);
        s.setLong(4, nowMs);
        s.setInt(5, cap);
        ResultSet r = single(s);
        long id = r.getLong(1);
        return r.wasNull() ? null : id;
      }
    });
  }

  /** Gives back what is in flight under {@code consumer} but not in {@code keep}; how many. */
  int giveBack(String consumer, Collection<Long> keep) {
    return call("giveBack", c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT queuekit_give_back(?, ?, ?)")) {
        s.setString(1, q);
        s.setString(2, consumer);
        s.setArray(3, c.createArrayOf("bigint", keep.toArray()));
        return single(s).getInt(1);
      }
    });
  }

  List<Long> recover(long timeoutMs, int maxRecoveries, long nowMs, int cap) {
    return call("recover", c -> {
      try (PreparedStatement s = c.prepareStatement(
          "SELECT * FROM queuekit_recover(?, ?, ?, ?, ?)")) {
        s.setString(1, q);
        s.setLong(2, timeoutMs);
        s.setInt(3, maxRecoveries);
        s.setLong(4, nowMs);
        s.setInt(5, cap);
        List<Long> out = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            out.add(r.getLong(1));
          }
        }
        return out;
      }
    });
  }

  List<DeadLetter> deadLetters(List<Long> ids) {
    return call("listDead", c -> {
      try (PreparedStatement s = c.prepareStatement(DEAD_COLUMNS
          + " WHERE queue = ? AND id = ANY(?) ORDER BY id")) {
        s.setString(1, q);
        s.setArray(2, c.createArrayOf("bigint", ids.toArray()));
        return deadLetters(s);
      }
    });
  }

  private static final String DEAD_COLUMNS = "SELECT id, payload, reason, deliveries, "
      + "recoveries, first_pushed, dead_at FROM queuekit_dead";

  List<DeadLetter> listDead(int offset, int limit) {
    return call("listDead", c -> {
      try (PreparedStatement s = c.prepareStatement(DEAD_COLUMNS
          + " WHERE queue = ? ORDER BY id DESC OFFSET ? LIMIT ?")) {
        s.setString(1, q);
        s.setInt(2, Math.max(0, offset));
        s.setInt(3, Math.max(0, limit));
        return deadLetters(s);
      }
    });
  }

  private static List<DeadLetter> deadLetters(PreparedStatement s) throws SQLException {
    List<DeadLetter> out = new ArrayList<>();
    try (ResultSet r = s.executeQuery()) {
      while (r.next()) {
        out.add(new DeadLetter(r.getLong(1), r.getBytes(2), r.getString(3), r.getInt(4),
            r.getInt(5), Instant.ofEpochMilli(r.getLong(6)), Instant.ofEpochMilli(r.getLong(7))));
      }
    }
    return out;
  }

  /** Replays the dead letters {@code ids}, or all when null. */
  long replay(long[] ids) {
    return call("replayDead", c -> {
      allowLong(c);
      try (PreparedStatement s = c.prepareStatement("SELECT queuekit_replay(?, ?)")) {
        s.setString(1, q);
        s.setArray(2, ids == null ? null : longs(c, ids));
        return single(s).getLong(1);
      }
    });
  }

  /** Purges the dead letters {@code ids}, or all when null. */
  long purge(long[] ids) {
    return call("purgeDead", c -> {
      allowLong(c);
      try (PreparedStatement s = c.prepareStatement("DELETE FROM queuekit_dead WHERE queue = ? "
          + "AND (?::bigint[] IS NULL OR id = ANY(?))")) {
        s.setString(1, q);
        Array a = ids == null ? null : longs(c, ids);
        s.setArray(2, a);
        s.setArray(3, a);
        return (long) s.executeUpdate();
      }
    });
  }

  boolean has(byte[] digest) {
    return call("has", c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM queuekit_item "
          + "WHERE queue = ? AND digest = ? AND state IN ('R', 'D'))")) {
        s.setString(1, q);
        s.setBytes(2, digest);
        return single(s).getBoolean(1);
      }
    });
  }

  long len() {
    return call("len", c -> {
      try (PreparedStatement s = c.prepareStatement(
          "SELECT coalesce(sum(waiting), 0) FROM queuekit_room WHERE queue = ?")) {
        s.setString(1, q);
        return single(s).getLong(1);
      }
    });
  }

  long removeAll() {
    return call("removeAll", c -> {
      allowLong(c);
      try (PreparedStatement s = c.prepareStatement("SELECT queuekit_remove_all(?)")) {
        s.setString(1, q);
        return single(s).getLong(1);
      }
    });
  }

  /** The counts at {@code nowMs}: a delayed item already due counts as ready. */
  StoreStats stats(long nowMs) {
    return call("stats", c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT "
          + "(SELECT count(*) FROM queuekit_item WHERE queue = ? AND (state = 'R' "
          + "OR state = 'D' AND due_at <= ?)), "
          + "(SELECT count(*) FROM queuekit_item WHERE queue = ? AND state = 'D' AND due_at > ?), "
          + "(SELECT count(*) FROM queuekit_item WHERE queue = ? AND state = 'F'), "
          + "(SELECT count(*) FROM queuekit_dead WHERE queue = ?), "
          + "(SELECT dead_dropped FROM queuekit_queue WHERE queue = ?), "
          + "(SELECT min(first_pushed) FROM queuekit_item WHERE queue = ? "
          + "AND state IN ('R', 'D'))")) {
        s.setString(1, q);
        s.setLong(2, nowMs);
        s.setString(3, q);
        s.setLong(4, nowMs);
        for (int i = 5; i <= 8; i++) {
          s.setString(i, q);
        }
        ResultSet r = single(s);
        long oldest = r.getLong(6);
        Optional<Instant> o = r.wasNull() ? Optional.empty()
            : Optional.of(Instant.ofEpochMilli(oldest));
        return new StoreStats(r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4),
            r.getLong(5), o);
      }
    });
  }

  /** Deletes this process's waiter rows for the queue (it is closing). */
  void forgetWaiters(String channel) {
    call("close", c -> {
      try (PreparedStatement s = c.prepareStatement(
          "DELETE FROM queuekit_waiter WHERE queue = ? AND consumer = ?")) {
        s.setString(1, q);
        s.setString(2, channel);
        return s.executeUpdate();
      }
    });
  }

  /** Forgets {@code consumer}, as if long silent (tests' crash): its items are recoverable. */
  void silence(String consumer) {
    call("crash", c -> {
      try (PreparedStatement s = c.prepareStatement(
          "DELETE FROM queuekit_consumer WHERE id = ?")) {
        s.setString(1, consumer);
        return s.executeUpdate();
      }
    });
  }

  private static Outcome outcome(int code) {
    switch (code) {
      case 0:
        return Outcome.DONE;
      case 1:
        return Outcome.MERGED;
      default:
        return Outcome.STALE;
    }
  }

  private static ResultSet single(PreparedStatement s) throws SQLException {
    ResultSet r = s.executeQuery();
    if (!r.next()) {
      throw new SQLException("no row returned", "XX000");
    }
    return r;
  }

  private static Array ids(Connection c, List<Delivery> deliveries) throws SQLException {
    Long[] a = new Long[deliveries.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = deliveries.get(i).id();
    }
    return c.createArrayOf("bigint", a);
  }

  private static Array longs(Connection c, long[] ids) throws SQLException {
    Long[] a = new Long[ids.length];
    for (int i = 0; i < a.length; i++) {
      a[i] = ids[i];
    }
    return c.createArrayOf("bigint", a);
  }
}
