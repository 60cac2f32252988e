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
   * What a ready, delayed or in-flight key holds: the whole item, so a push is one put, a claim one
   * get, one delete and one put of the same bytes, an ack one delete. This record is the header;
   * the payload stays in the stored bytes ({@link #payloadOf}), so the heap never holds a waiting
   * item's payload.
   *
   * @param digest SHA-256 of the identity on a unique queue, else null
   */
  record Entry(long itemId, int deliveries, int recoveries, long firstPushedNanos, byte[] digest) {
    /** Bytes before the digest: id, two counts, first-pushed time, digest length. */
    static final int HEADER = 25;

    byte[] encode(byte[] payload) {
      int d = digest == null ? 0 : DIGEST_BYTES;
      byte[] b = new byte[HEADER + d + payload.length];
      Keys.putLong(b, 0, itemId);
      Keys.putInt(b, 8, deliveries);
      Keys.putInt(b, 12, recoveries);
      Keys.putLong(b, 16, firstPushedNanos);
      b[24] = (byte) d;
      if (digest != null) {
        System.arraycopy(digest, 0, b, HEADER, d);
      }
      System.arraycopy(payload, 0, b, HEADER + d, payload.length);
      return b;
    }

    /** The header of stored entry bytes, without copying the payload. */
    static Entry decode(byte[] b) {
      int d = digestLength(b);
      return new Entry(Keys.getLong(b, 0), Keys.getInt(b, 8), Keys.getInt(b, 12),
          Keys.getLong(b, 16), d == 0 ? null : Arrays.copyOfRange(b, HEADER, HEADER + d));
    }

    /** A copy of the payload of stored entry bytes. */
    static byte[] payloadOf(byte[] b) {
      return Arrays.copyOfRange(b, HEADER + digestLength(b), b.length);
    }

    /** Stored entry bytes with other counts (a copy; the stored array is never changed). */
    static byte[] withCounts(byte[] b, int deliveries, int recoveries) {
      byte[] c = b.clone();
      Keys.putInt(c, 8, deliveries);
      Keys.putInt(c, 12, recoveries);
      return c;
    }

    private static int digestLength(byte[] b) {
      if (b.length < HEADER || (b[24] != 0 && b[24] != DIGEST_BYTES)
          || b.length < HEADER + b[24]) {
        throw new IllegalArgumentException("entry of " + b.length + " bytes is malformed (at "
            + "least " + HEADER + " bytes with a digest length of 0 or " + DIGEST_BYTES + ")");
      }
      return b[24];
    }

    Entry withCounts(int deliveries, int recoveries) {
      return new Entry(itemId, deliveries, recoveries, firstPushedNanos, digest);
    }
  }

  /**
   * A dead letter: self-contained, like an entry.
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
   * The queue's sequence bound and dead-letter drop count. The head and tail of the ready range
   * are not stored: opening reads every ready key anyway and takes them from there.
   *
   * @param seqLimit every number handed out (item ids, delivery ids, release orders, dead-letter
   *     ids: one sequence) is below it. The queue reserves numbers {@link QueueState#SEQUENCE_BLOCK}
   *     at a time, so this record is rewritten once per block, not in every write round, and the
   *     next open goes on from here: no number is ever used twice, delivery ids included
   * @param deadDropped dead letters dropped at the cap, ever
   */
  record State(long seqLimit, long deadDropped) {
    static final int BYTES = 16;

    byte[] encode() {
      byte[] b = new byte[BYTES];
      Keys.putLong(b, 0, seqLimit);
      Keys.putLong(b, 8, deadDropped);
      return b;
    }

    static State decode(byte[] b) {
      if (b.length != BYTES) {
        throw new IllegalArgumentException("state of " + b.length + " bytes; expected " + BYTES);
      }
      return new State(Keys.getLong(b, 0), Keys.getLong(b, 8));
    }
  }

  /**
   * The meta record: layout version and flavour; while a migration from version 1 is under way,
   * also the last entry key it migrated (that key's bytes after the queue's prefix), else null.
   */
  record Meta(int version, boolean unique, byte[] migrated) {
    static final byte SIMPLE = 's';
    static final byte UNIQUE = 'u';

    Meta(int version, boolean unique) {
      this(version, unique, null);
    }

    byte[] encode() {
      byte[] b = new byte[5 + (migrated == null ? 0 : migrated.length)];
      Keys.putInt(b, 0, version);
      b[4] = unique ? UNIQUE : SIMPLE;
      if (migrated != null) {
        System.arraycopy(migrated, 0, b, 5, migrated.length);
      }
      return b;
    }

    static Meta decode(byte[] b) {
      if (b.length < 5 || (b[4] != SIMPLE && b[4] != UNIQUE)) {
        throw new IllegalArgumentException("meta record of " + b.length + " bytes is malformed");
      }
      return new Meta(Keys.getInt(b, 0), b[4] == UNIQUE,
          b.length == 5 ? null : Arrays.copyOfRange(b, 5, b.length));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Meta m && m.version == version && m.unique == unique
          && Arrays.equals(m.migrated, migrated);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * version + Boolean.hashCode(unique)) + Arrays.hashCode(migrated);
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
}
