package io.queuekit.level;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * The values of one queue's keys, as drawn in {@link LevelQueue}'s javadoc. Plain integers are
 * big-endian; times are nanoseconds since the epoch of the queue's clock, saturated to the range of
 * a long (years 1677 to 2262).
 *
 * <p>Every decoder throws {@link IllegalArgumentException} on a value of the wrong shape, which the
 * open-time check reports and repairs.
 *
 * <p><b>Thread-safety:</b> the records are immutable (their arrays are not copied; nobody changes
 * them).
 */
final class Records {
  private Records() {}

  static final int DIGEST_BYTES = 32;

  /**
   * An index entry: what a ready, delayed or in-flight key holds. The payload stays in the item
   * record, so moving an item between states rewrites only these few bytes.
   *
   * @param digest SHA-256 of the identity on a unique queue, else null
   */
  record Entry(long itemId, int deliveries, int recoveries, byte[] digest) {
    byte[] encode() {
      byte[] b = new byte[16 + (digest == null ? 0 : DIGEST_BYTES)];
      Keys.putLong(b, 0, itemId);
      Keys.putInt(b, 8, deliveries);
      Keys.putInt(b, 12, recoveries);
      if (digest != null) {
        System.arraycopy(digest, 0, b, 16, DIGEST_BYTES);
      }
      return b;
    }

    static Entry decode(byte[] b) {
      if (b.length != 16 && b.length != 16 + DIGEST_BYTES) {
        throw new IllegalArgumentException("index entry of " + b.length + " bytes; expected 16 or "
            + (16 + DIGEST_BYTES));
      }
      return new Entry(Keys.getLong(b, 0), Keys.getInt(b, 8), Keys.getInt(b, 12),
          b.length == 16 ? null : Arrays.copyOfRange(b, 16, b.length));
    }

    Entry withCounts(int deliveries, int recoveries) {
      return new Entry(itemId, deliveries, recoveries, digest);
    }
  }

  /** An item record: written once at push (or replay), deleted at ack, dead letter or removeAll. */
  record ItemRecord(long firstPushedNanos, byte[] digest, byte[] payload) {
    byte[] encode() {
      int d = digest == null ? 0 : DIGEST_BYTES;
      byte[] b = new byte[9 + d + payload.length];
      Keys.putLong(b, 0, firstPushedNanos);
      b[8] = (byte) d;
      if (digest != null) {
        System.arraycopy(digest, 0, b, 9, d);
      }
      System.arraycopy(payload, 0, b, 9 + d, payload.length);
      return b;
    }

    static ItemRecord decode(byte[] b) {
      if (b.length < 9 || (b[8] != 0 && b[8] != DIGEST_BYTES) || b.length < 9 + b[8]) {
        throw new IllegalArgumentException("item record of " + b.length + " bytes is malformed");
      }
      int d = b[8];
      return new ItemRecord(Keys.getLong(b, 0),
          d == 0 ? null : Arrays.copyOfRange(b, 9, 9 + d),
          Arrays.copyOfRange(b, 9 + d, b.length));
    }

    /** Only the first-pushed time, without copying the payload. */
    static long firstPushedOf(byte[] b) {
      if (b.length < 9) {
        throw new IllegalArgumentException("item record of " + b.length + " bytes is malformed");
      }
      return Keys.getLong(b, 0);
    }
  }

  /**
   * A dead letter: self-contained, the item record is gone.
   *
   * @param digest SHA-256 of the identity on a unique queue (replay merges by it), else null
   */
  record DeadRecord(int deliveries, int recoveries, long firstPushedNanos, long deadAtNanos,
      byte[] digest, String reason, byte[] payload) {
    byte[] encode() {
      byte[] r = reason.getBytes(StandardCharsets.UTF_8);
      int d = digest == null ? 0 : DIGEST_BYTES;
      byte[] b = new byte[29 + d + r.length + payload.length];
      Keys.putInt(b, 0, deliveries);
      Keys.putInt(b, 4, recoveries);
      Keys.putLong(b, 8, firstPushedNanos);
      Keys.putLong(b, 16, deadAtNanos);
      b[24] = (byte) d;
      if (digest != null) {
        System.arraycopy(digest, 0, b, 25, d);
      }
      Keys.putInt(b, 25 + d, r.length);
      System.arraycopy(r, 0, b, 29 + d, r.length);
      System.arraycopy(payload, 0, b, 29 + d + r.length, payload.length);
      return b;
    }

    static DeadRecord decode(byte[] b) {
      if (b.length < 29 || (b[24] != 0 && b[24] != DIGEST_BYTES) || b.length < 29 + b[24]) {
        throw new IllegalArgumentException("dead letter of " + b.length + " bytes is malformed");
      }
      int d = b[24];
      int r = Keys.getInt(b, 25 + d);
      if (r < 0 || 29L + d + r > b.length) {
        throw new IllegalArgumentException("dead letter of " + b.length
            + " bytes has a reason of " + r + " bytes");
      }
      return new DeadRecord(Keys.getInt(b, 0), Keys.getInt(b, 4), Keys.getLong(b, 8),
          Keys.getLong(b, 16), d == 0 ? null : Arrays.copyOfRange(b, 25, 25 + d),
          new String(b, 29 + d, r, StandardCharsets.UTF_8),
          Arrays.copyOfRange(b, 29 + d + r, b.length));
    }
  }

  /**
   * The queue's positions and sequence, rewritten in every write batch that moves them.
   *
   * @param head position of the first ready item
   * @param tail position after the last ready item (ready = tail - head, no gaps)
   * @param nextSeq next number for item ids, delivery ids, release orders and dead-letter ids: one
   *     sequence, so no number is ever used twice, delivery ids included
   * @param deadDropped dead letters dropped at the cap, ever
   */
  record State(long head, long tail, long nextSeq, long deadDropped) {
    static final int BYTES = 32;

    byte[] encode() {
      byte[] b = new byte[BYTES];
      Keys.putLong(b, 0, head);
      Keys.putLong(b, 8, tail);
      Keys.putLong(b, 16, nextSeq);
      Keys.putLong(b, 24, deadDropped);
      return b;
    }

    static State decode(byte[] b) {
      if (b.length != BYTES) {
        throw new IllegalArgumentException("state of " + b.length + " bytes; expected " + BYTES);
      }
      return new State(Keys.getLong(b, 0), Keys.getLong(b, 8), Keys.getLong(b, 16),
          Keys.getLong(b, 24));
    }
  }

  /** The meta record: layout version and flavour. */
  record Meta(int version, boolean unique) {
    static final byte SIMPLE = 's';
    static final byte UNIQUE = 'u';

    byte[] encode() {
      byte[] b = new byte[5];
      Keys.putInt(b, 0, version);
      b[4] = unique ? UNIQUE : SIMPLE;
      return b;
    }

    static Meta decode(byte[] b) {
      if (b.length < 5 || (b[4] != SIMPLE && b[4] != UNIQUE)) {
        throw new IllegalArgumentException("meta record of " + b.length + " bytes is malformed");
      }
      return new Meta(Keys.getInt(b, 0), b[4] == UNIQUE);
    }

    static String flavour(boolean unique) {
      return unique ? "unique" : "simple";
    }
  }

  /** Epoch nanoseconds of {@code t}, saturated. */
  static long nanos(Instant t) {
    long s = t.getEpochSecond();
    if (s > Long.MAX_VALUE / 1_000_000_000L - 1) {
      return Long.MAX_VALUE;
    }
    if (s < Long.MIN_VALUE / 1_000_000_000L + 1) {
      return Long.MIN_VALUE;
    }
    return s * 1_000_000_000L + t.getNano();
  }

  static Instant instant(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
        Math.floorMod(nanos, 1_000_000_000L));
  }

  static long saturatedAdd(long a, long b) {
    long r = a + b;
    if (((a ^ r) & (b ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }
}
