package io.queuekit;

import java.util.Locale;
import java.util.Objects;

/**
 * What a push or a settle waits for before it returns, the {@code DURABILITY} setting. Redis
 * only: other backends have their own knob ({@code SYNC} for LevelDB) or are durable by their
 * nature (PostgreSQL commits).
 *
 * <ul>
 *   <li>{@code none} (the default): the write is in the server's memory; what reaches the disk or
 *       a replica, and when, is the server's configuration ({@code appendfsync}, replication).
 *   <li>{@code aof}: {@code WAITAOF 1 0}: the server's own append-only file is fsynced (Redis ≥
 *       7.2 with {@code appendonly yes}).
 *   <li>{@code replica}, {@code replicas=N}: {@code WAIT N}: N replicas have received the write,
 *       so a failover that promotes the most up-to-date replica keeps it.
 * </ul>
 *
 * <p>A write the server does not confirm in time fails with {@link QueueUnavailableException}
 * although it may be stored: a failed push may still be delivered (at-least-once).
 *
 * <p><b>Thread-safety:</b> immutable, safe to share. Written as its INI text ({@link #toString()}).
 */
public final class Durability {
  /** How a write is waited for. */
  public enum Mode { NONE, AOF, REPLICAS }

  private static final Durability NONE = new Durability(Mode.NONE, 0);
  private static final Durability AOF = new Durability(Mode.AOF, 0);

  private final Mode mode;
  private final int replicas;

  private Durability(Mode mode, int replicas) {
    this.mode = mode;
    this.replicas = replicas;
  }

  /** Nothing waited for (the default). */
  public static Durability none() {
    return NONE;
  }

  /** The local append-only file fsynced ({@code WAITAOF 1 0}). */
  public static Durability aof() {
    return AOF;
  }

  /**
   * {@code n} replicas received the write ({@code WAIT n}).
   *
   * @throws QueueConfigException when {@code n} is below 1
   */
  public static Durability replicas(int n) {
    if (n < 1) {
      throw new QueueConfigException("DURABILITY=replicas=" + n + " is below the minimum 1");
    }
    return new Durability(Mode.REPLICAS, n);
  }

  /**
   * Reads the INI text: {@code none}, {@code aof}, {@code replica} or {@code replicas=N}, in any
   * case; empty is {@code none}.
   *
   * @throws QueueConfigException naming the key and the value for any other text
   */
  public static Durability parse(String text) {
    String v = text.trim().toLowerCase(Locale.ROOT);
    switch (v) {
      case "": case "none": return NONE;
      case "aof": return AOF;
      case "replica": return replicas(1);
      default:
        if (v.matches("replicas\\s*=\\s*\\d{1,9}")) {
          return replicas(Integer.parseInt(v.substring(v.indexOf('=') + 1).trim()));
        }
        throw new QueueConfigException("DURABILITY=" + text.trim() + " is not a durability: "
            + "write none, aof, replica or replicas=N");
    }
  }

  public Mode mode() {
    return mode;
  }

  /** The replicas waited for; 0 unless {@link Mode#REPLICAS}. */
  public int replicas() {
    return replicas;
  }

  /** The INI text: {@code none}, {@code aof}, {@code replica} or {@code replicas=N}. */
  @Override
  public String toString() {
    switch (mode) {
      case NONE: return "none";
      case AOF: return "aof";
      default: return replicas == 1 ? "replica" : "replicas=" + replicas;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Durability && ((Durability) o).mode == mode
        && ((Durability) o).replicas == replicas;
  }

  @Override
  public int hashCode() {
    return Objects.hash(mode, replicas);
  }
}
