package io.queuekit.ini;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The one check that an INI file's bytes are text queuekit reads: UTF-8, as Gitea's {@code
 * app.ini} is, without NUL bytes. {@link IniFile#parse(byte[], String)} runs it, so the service
 * ({@link IniQueueConfig}) and the config migrator refuse the same files with the same message;
 * nothing is ever read with a replacement character in place of a byte (a {@code DATADIR} that
 * names another directory, a {@code [queue.NAME]} that names another queue).
 *
 * <p>Linear in the file's size; decodes through a small buffer, so a large file is not copied.
 * <b>Thread-safety:</b> stateless.
 */
public final class IniText {
  private static final int BUFFER = 8192;

  private IniText() {}

  /**
   * Checks that {@code bytes} are UTF-8 text: no UTF-16 byte order mark, no byte sequence that is
   * not UTF-8 (an overlong form, a surrogate, a stray continuation byte, a cut-off sequence), no
   * NUL byte. A UTF-8 byte order mark is allowed.
   *
   * @throws IniEncodingException naming {@code sourceName}, the line, the column and the byte of
   *     the first byte refused (never the line's text)
   */
  public static void check(byte[] bytes, String sourceName) {
    if (bytes.length >= 2 && ((bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF)
        || (bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE))) {
      throw new IniEncodingException(sourceName, 1, 1, 0,
          "the file is UTF-16 (byte order mark); save it as UTF-8, as Gitea's app.ini is;"
              + " nothing was read");
    }
    int bad = firstMalformed(bytes);
    int nul = firstNul(bytes, bad < 0 ? bytes.length : bad);
    if (nul >= 0) {
      throw refused(bytes, nul, sourceName, "a NUL byte (0x00)", "is not allowed: this is not a"
          + " text file (a binary file, or one saved as UTF-16?)");
    }
    if (bad >= 0) {
      throw refused(bytes, bad, sourceName,
          "byte 0x" + String.format(Locale.ROOT, "%02X", bytes[bad] & 0xFF),
          "is not UTF-8: the file must be UTF-8 text, as Gitea's app.ini is (save it as UTF-8;"
              + " Latin-1 and Windows-1252 are not)");
    }
  }

  private static IniEncodingException refused(byte[] bytes, int at, String sourceName,
      String what, String why) {
    int lineStart = 0;
    int line = 1;
    for (int i = 0; i < at; i++) {
      if (bytes[i] == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    // the bytes before it on its line are UTF-8: a character starts at each non-continuation byte
    // (a UTF-8 byte order mark, which editors do not show, is no column)
    boolean bom = lineStart == 0 && at >= 3 && bytes[0] == (byte) 0xEF
        && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF;
    int column = 1;
    for (int i = bom ? 3 : lineStart; i < at; i++) {
      if ((bytes[i] & 0xC0) != 0x80) {
        column++;
      }
    }
    return new IniEncodingException(sourceName, line, column, at, what + " at column " + column
        + " (byte offset " + at + " of the file) " + why + "; nothing was read");
  }

  /** The offset of the first NUL byte before {@code end}, or -1. */
  private static int firstNul(byte[] bytes, int end) {
    for (int i = 0; i < end; i++) {
      if (bytes[i] == 0) {
        return i;
      }
    }
    return -1;
  }

  /** The offset of the first byte of the first sequence that is not UTF-8, or -1. */
  private static int firstMalformed(byte[] bytes) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(BUFFER);
    while (true) {
      CoderResult r = decoder.decode(in, out, true);
      if (r.isError()) {
        return in.position();
      }
      out.clear();
      if (r.isUnderflow()) {
        r = decoder.flush(out);
        return r.isError() ? in.position() : -1;
      }
    }
  }
}
