package io.queuekit.level;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The keys of one queue in a shared LevelDB, as drawn in {@link LevelQueue}'s javadoc: a
 * length-prefixed storage name, a one-byte section tag, then the section's suffix.
 *
 * <p>Every number in a key is a <em>sortable</em> 64-bit integer: the value with its sign bit
 * flipped, written big-endian, so LevelDB's bytewise order is numeric order, negatives included
 * (ready positions go below zero when items are put back at the head).
 *
 * <p><b>Thread-safety:</b> immutable.
 */
final class Keys {
  static final byte META = 'M';
  static final byte STATE = 'S';
  /** Layout 1 only: the item record; opening migrates it into its entry. */
  static final byte ITEM = 'I';
  static final byte READY = 'R';
  static final byte DELAYED = 'D';
  static final byte FLIGHT = 'F';
  static final byte UNIQUE = 'U';
  static final byte DEAD = 'X';

  /** Longest storage name, in UTF-8 bytes: what the two-byte length prefix can say. */
  static final int MAX_NAME_BYTES = 0xFFFF;

  private final String name;
  private final byte[] prefix;

  Keys(String storageName) {
    this.name = storageName;
    byte[] utf8 = storageName.getBytes(StandardCharsets.UTF_8);
    if (utf8.length > MAX_NAME_BYTES) {
      throw new IllegalArgumentException("storage name of " + utf8.length + " bytes; at most "
          + MAX_NAME_BYTES);
    }
    prefix = new byte[2 + utf8.length];
    prefix[0] = (byte) (utf8.length >>> 8);
    prefix[1] = (byte) utf8.length;
    System.arraycopy(utf8, 0, prefix, 2, utf8.length);
  }

  /** The storage name ({@code NAME + QUEUE_NAME}). */
  String name() {
    return name;
  }

  /** Every key of this queue starts with these bytes and no other queue's key does. */
  byte[] prefix() {
    return prefix.clone();
  }

  boolean owns(byte[] key) {
    return key.length > prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0,
        prefix.length);
  }

  /** The section tag of one of this queue's keys. */
  byte tag(byte[] key) {
    return key[prefix.length];
  }

  /** The bytes after the tag. */
  int suffixOffset() {
    return prefix.length + 1;
  }

  byte[] meta() {
    return key(META, 0);
  }

  byte[] state() {
    return key(STATE, 0);
  }

  byte[] item(long itemId) {
    return withLong(ITEM, itemId);
  }

  byte[] ready(long position) {
    return withLong(READY, position);
  }

  byte[] delayed(long dueNanos, long order) {
    byte[] k = key(DELAYED, 16);
    putSortable(k, prefix.length + 1, dueNanos);
    putSortable(k, prefix.length + 9, order);
    return k;
  }

  byte[] flight(long deliveryId) {
    return withLong(FLIGHT, deliveryId);
  }

  byte[] unique(byte[] digest) {
    byte[] k = key(UNIQUE, digest.length);
    System.arraycopy(digest, 0, k, prefix.length + 1, digest.length);
    return k;
  }

  byte[] dead(long deadId) {
    return withLong(DEAD, deadId);
  }

  /** The first sortable long after the tag. */
  long firstNumber(byte[] key) {
    return getSortable(key, prefix.length + 1);
  }

  /** The second sortable long after the tag (delayed keys: the release order). */
  long secondNumber(byte[] key) {
    return getSortable(key, prefix.length + 9);
  }

  /** The digest of a unique-member key. */
  byte[] digestOf(byte[] key) {
    return Arrays.copyOfRange(key, prefix.length + 1, key.length);
  }

  /** Expected length of a key with {@code tag}, or -1 when it varies. */
  int expectedLength(byte tag) {
    switch (tag) {
      case META:
      case STATE:
        return prefix.length + 1;
      case ITEM:
      case READY:
      case FLIGHT:
      case DEAD:
        return prefix.length + 9;
      case DELAYED:
        return prefix.length + 17;
      case UNIQUE:
        return prefix.length + 1 + 32;
      default:
        return -1;
    }
  }

  private byte[] withLong(byte tag, long v) {
    byte[] k = key(tag, 8);
    putSortable(k, prefix.length + 1, v);
    return k;
  }

  private byte[] key(byte tag, int suffix) {
    byte[] k = Arrays.copyOf(prefix, prefix.length + 1 + suffix);
    k[prefix.length] = tag;
    return k;
  }

  static void putSortable(byte[] b, int off, long v) {
    putLong(b, off, v ^ Long.MIN_VALUE);
  }

  static long getSortable(byte[] b, int off) {
    return getLong(b, off) ^ Long.MIN_VALUE;
  }

  static void putLong(byte[] b, int off, long v) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  static long getLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xFF);
    }
    return v;
  }

  static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  static int getInt(byte[] b, int off) {
    return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8)
        | (b[off + 3] & 0xFF);
  }

  /** The first bytes of a digest in hex, for log lines. */
  static String shortHex(byte[] digest) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(6, digest.length); i++) {
      sb.append(String.format("%02x", digest[i] & 0xFF));
    }
    return sb.append('…').toString();
  }
}
