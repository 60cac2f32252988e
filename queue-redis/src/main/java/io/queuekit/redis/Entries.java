package io.queuekit.redis;

import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * The entry format of the {@code redis} backend (layout version 2, drawn in {@link RedisLayout}):
 * builds the entries pushes send and reads the entries and dead letters scripts return.
 *
 * <pre>
 * entry        = deliveries ":" recoveries ":" firstPushedMs ":" digestHex ":" payload
 * dead letter  = id ":" deliveries ":" recoveries ":" firstPushedMs ":" deadAtMs ":" digestHex
 *                ":" reasonBytes ":" reason payload
 * </pre>
 *
 * <p>The entry of a push is built here rather than in the push script: the server's Lua would
 * copy every payload once more to prefix it. A malformed entry met by a script is dead-lettered
 * there (docs/DESIGN.md §3.8); one met here is an {@link IllegalStateException}.
 *
 * <p><b>Thread-safety:</b> stateless. <b>Ordering, durability:</b> not applicable (a format).
 */
final class Entries {
  private Entries() {}

  /** A new entry: counts zero, first pushed at {@code prefix}'s time, then digest and payload. */
  static byte[] entry(byte[] prefix, byte[] digest, byte[] payload) {
    byte[] entry = new byte[prefix.length + digest.length + 1 + payload.length];
    System.arraycopy(prefix, 0, entry, 0, prefix.length);
    System.arraycopy(digest, 0, entry, prefix.length, digest.length);
    entry[prefix.length + digest.length] = ':';
    System.arraycopy(payload, 0, entry, prefix.length + digest.length + 1, payload.length);
    return entry;
  }

  /** The prefix of the entries a push made at {@code nowMs}: {@code "0:0:" now ":"}. */
  static byte[] newPrefix(long nowMs) {
    return str("0:0:" + nowMs + ":");
  }

  static Delivery delivery(long did, byte[] entry) {
    return delivery(did, entry, 0, entry.length);
  }

  /** The delivery of the entry {@code b[from, to)} (one of a pack's: see {@link Packs#bounds}). */
  static Delivery delivery(long did, byte[] b, int from, int to) {
    int[] c = colons(b, from, to, 4);
    int dc = count(b, from, c[0]);
    int rc = count(b, c[0] + 1, c[1]);
    long first = digits(b, c[1] + 1, c[2]);
    byte[] payload = Arrays.copyOfRange(b, c[3] + 1, to);
    return new Delivery(did, payload, dc, rc, Instant.ofEpochMilli(first));
  }

  static DeadLetter deadLetter(byte[] m) {
    int[] c = colons(m, 7);
    long id = digits(m, 0, c[0]);
    int dc = count(m, c[0] + 1, c[1]);
    int rc = count(m, c[1] + 1, c[2]);
    long first = digits(m, c[2] + 1, c[3]);
    long deadAt = digits(m, c[3] + 1, c[4]);
    int rlen = count(m, c[5] + 1, c[6]);
    int r0 = c[6] + 1;
    String reason = new String(m, r0, rlen, StandardCharsets.UTF_8);
    byte[] payload = Arrays.copyOfRange(m, r0 + rlen, m.length);
    return new DeadLetter(id, payload, reason, dc, rc, Instant.ofEpochMilli(first),
        Instant.ofEpochMilli(deadAt));
  }

  /**
   * The dead letter stored as {@code m} at score {@code id}; a member that is none (another
   * program's or version's bytes) is shown as it is, with a reason saying so, so one stray
   * member neither hides the others from a listing nor stops it (replay leaves it in place; purge
   * by its id removes it).
   */
  static DeadLetter deadLetterOrMalformed(byte[] m, long id) {
    try {
      return deadLetter(m);
    } catch (IllegalStateException | NumberFormatException | IndexOutOfBoundsException e) {
      return new DeadLetter(id, m, "malformed dead letter (written by another program or "
          + "version): " + e.getMessage(), 0, 0, Instant.EPOCH, Instant.EPOCH);
    }
  }

  private static int[] colons(byte[] b, int n) {
    return colons(b, 0, b.length, n);
  }

  /** Where the first {@code n} colons of {@code b[from, to)} are. */
  private static int[] colons(byte[] b, int from, int to, int n) {
    int[] at = new int[n];
    int k = 0;
    for (int i = from; i < to && k < n; i++) {
      if (b[i] == ':') {
        at[k++] = i;
      }
    }
    if (k < n) {
      throw new IllegalStateException("malformed queue entry: expected " + n + " header fields");
    }
    return at;
  }

  /**
   * The header number in {@code b[from, to)}: ASCII digits only, as the scripts write them (no
   * sign), at most 18. Read from the bytes, not through a String: a claim decodes a header per
   * delivery.
   *
   * @throws NumberFormatException naming the field's text when it is no such number
   */
  private static long digits(byte[] b, int from, int to) {
    if (to <= from || to - from > 18) {
      throw notANumber(b, from, to);
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9) {
        throw notANumber(b, from, to);
      }
      v = v * 10 + d;
    }
    return v;
  }

  /** A header count: {@link #digits} that fits an int. */
  private static int count(byte[] b, int from, int to) {
    long v = digits(b, from, to);
    if (v > Integer.MAX_VALUE) {
      throw notANumber(b, from, to);
    }
    return (int) v;
  }

  private static NumberFormatException notANumber(byte[] b, int from, int to) {
    return new NumberFormatException("not a header number: \"" + ascii(b, from,
        Math.min(to, from + 40)) + "\"");
  }

  private static String ascii(byte[] b, int from, int to) {
    return new String(b, from, to - from, StandardCharsets.US_ASCII);
  }

  /**
   * A number as the ASCII digits Redis reads: ids and counts go out per delivery, so they are
   * written straight into the bytes, without a String in between.
   */
  static byte[] str(long v) {
    if (v < 0) {
      return String.valueOf(v).getBytes(StandardCharsets.US_ASCII);
    }
    int n = 1;
    for (long x = v; x >= 10; x /= 10) {
      n++;
    }
    byte[] b = new byte[n];
    for (int i = n - 1; i >= 0; i--) {
      b[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    return b;
  }

  static byte[] str(Object o) {
    return String.valueOf(o).getBytes(StandardCharsets.UTF_8);
  }

  static String utf8(Object o) {
    return new String((byte[]) o, StandardCharsets.UTF_8);
  }
}
