package io.queuekit.redis;


/**
 * The pack of layout 4 (drawn in {@link RedisLayout}): the entries of one push of a simple queue's
 * ready items as one MessagePack array of byte strings, the form in which the server's {@code
 * cmsgpack} packs a claim's entries, so the scripts read a pack as they read a claim's field.
 *
 * <pre>
 * pack    = array-header entry{n}
 * array   = 0x90|n (n &lt; 16) | 0xdc uint16 | 0xdd uint32
 * entry   = string-header bytes
 * string  = 0xa0|len (len &lt; 32) | 0xd9 uint8 | 0xda uint16 | 0xdb uint32
 * </pre>
 *
 * <p>Written here rather than with msgpack-java: its buffers call {@code sun.misc.Unsafe}'s memory
 * methods, which JDK 24 and later warn about on standard error at first use (msgpack-java issue
 * #917), and a pack needs only these two of MessagePack's types. Reading also accepts {@code
 * bin} strings ({@code 0xc4-0xc6}), which {@code cmsgpack} reads as strings.
 *
 * <p><b>Thread-safety:</b> stateless. <b>Ordering, durability:</b> not applicable (a format).
 */
final class Packs {
  private Packs() {}

  /**
   * The pack of the entries {@code head + tails[i]}, in order, written straight into the pack (a
   * push's entries share their header, so they are not built one by one first).
   */
  static byte[] pack(byte[] head, byte[][] tails) {
    int size = arrayHeader(tails.length);
    for (byte[] t : tails) {
      int len = head.length + t.length;
      size += stringHeader(len) + len;
    }
    byte[] out = new byte[size];
    int at = writeArrayHeader(out, tails.length);
    for (byte[] t : tails) {
      at = writeStringHeader(out, at, head.length + t.length);
      System.arraycopy(head, 0, out, at, head.length);
      at += head.length;
      System.arraycopy(t, 0, out, at, t.length);
      at += t.length;
    }
    return out;
  }

  /**
   * Where the {@code n} entries of {@code pack} lie, without copying them: entry {@code i} is
   * {@code pack[at[2i], at[2i + 1])}. A claim reads its deliveries' payloads straight from the
   * pack, one copy per payload instead of two.
   *
   * @throws IllegalStateException when {@code pack} is not an array of exactly {@code n} strings
   *     filling it to its last byte
   */
  static int[] bounds(byte[] pack, int n) {
    Reader r = new Reader(pack);
    long count = r.arrayHeader();
    if (count != n) {
      throw new IllegalStateException("a pack of " + count + " entries where its claim says " + n);
    }
    int[] at = new int[2 * n];
    for (int i = 0; i < n; i++) {
      long len = r.stringHeader();
      at[2 * i] = r.at;
      r.skip(len);
      at[2 * i + 1] = r.at;
    }
    if (r.at != pack.length) {
      throw new IllegalStateException("a pack with " + (pack.length - r.at) + " bytes after its "
          + n + " entries");
    }
    return at;
  }

  private static int arrayHeader(int n) {
    return n < 16 ? 1 : n <= 0xffff ? 3 : 5;
  }

  private static int stringHeader(int len) {
    return len < 32 ? 1 : len <= 0xff ? 2 : len <= 0xffff ? 3 : 5;
  }

  private static int writeArrayHeader(byte[] out, int n) {
    if (n < 16) {
      out[0] = (byte) (0x90 | n);
      return 1;
    }
    if (n <= 0xffff) {
      out[0] = (byte) 0xdc;
      return writeBig(out, 1, n, 2);
    }
    out[0] = (byte) 0xdd;
    return writeBig(out, 1, n, 4);
  }

  private static int writeStringHeader(byte[] out, int at, int len) {
    if (len < 32) {
      out[at] = (byte) (0xa0 | len);
      return at + 1;
    }
    if (len <= 0xff) {
      out[at] = (byte) 0xd9;
      out[at + 1] = (byte) len;
      return at + 2;
    }
    if (len <= 0xffff) {
      out[at] = (byte) 0xda;
      return writeBig(out, at + 1, len, 2);
    }
    out[at] = (byte) 0xdb;
    return writeBig(out, at + 1, len, 4);
  }

  /** Writes {@code v} big-endian in {@code bytes} bytes at {@code at}; returns the end. */
  private static int writeBig(byte[] out, int at, long v, int bytes) {
    for (int i = bytes - 1; i >= 0; i--) {
      out[at + i] = (byte) v;
      v >>>= 8;
    }
    return at + bytes;
  }

  /** Reads a pack front to back, each step checking that the bytes it needs are there. */
  private static final class Reader {
    final byte[] b;
    int at;

    Reader(byte[] b) {
      this.b = b;
    }

    long arrayHeader() {
      int t = u8();
      if ((t & 0xf0) == 0x90) {
        return t & 0x0f;
      }
      switch (t) {
        case 0xdc:
          return big(2);
        case 0xdd:
          return big(4);
        default:
          throw bad("an array", t);
      }
    }

    long stringHeader() {
      int t = u8();
      if ((t & 0xe0) == 0xa0) {
        return t & 0x1f;
      }
      switch (t) {
        case 0xd9:
        case 0xc4:
          return big(1);
        case 0xda:
        case 0xc5:
          return big(2);
        case 0xdb:
        case 0xc6:
          return big(4);
        default:
          throw bad("a string", t);
      }
    }

    void skip(long len) {
      need(len);
      at += (int) len;
    }

    private int u8() {
      need(1);
      return b[at++] & 0xff;
    }

    private long big(int bytes) {
      need(bytes);
      long v = 0;
      for (int i = 0; i < bytes; i++) {
        v = (v << 8) | (b[at++] & 0xff);
      }
      return v;
    }

    private void need(long len) {
      if (len > b.length - at) {
        throw new IllegalStateException("a pack cut short at byte " + at + " of " + b.length);
      }
    }

    private IllegalStateException bad(String what, int t) {
      return new IllegalStateException(String.format("a pack with byte 0x%02x at %d where %s "
          + "starts", t, at - 1, what));
    }
  }
}
