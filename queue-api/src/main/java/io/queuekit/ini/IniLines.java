package io.queuekit.ini;

import java.nio.charset.StandardCharsets;

/**
 * An INI file's bytes and where each of its lines starts: the storage under {@link IniFile}. A line
 * is what go-ini's reader returns, up to and including a {@code '\n'}; the last line may lack one.
 * Line text is decoded when asked for, so a large file costs its bytes and one {@code int} per
 * line.
 *
 * <p>Lines are 0-based here ({@link IniFile}'s public methods are 1-based). A UTF-8 byte order mark
 * is not part of the first line's text, as go-ini skips it.
 *
 * <p><b>Thread-safety:</b> immutable, provided no one changes the array it was made from.
 */
final class IniLines {
  static final String LF = "\n";
  static final String CRLF = "\r\n";
  static final String NONE = "";
  private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private final byte[] content;
  /** Offset of each line's first byte; one more element, {@code content.length}, at the end. */
  private final int[] starts;
  private final int bom;

  /** Keeps {@code content} without copying it; the caller must not change it. */
  IniLines(byte[] content) {
    this.content = content;
    this.starts = lineStarts(content);
    this.bom = content.length >= 3 && content[0] == UTF8_BOM[0] && content[1] == UTF8_BOM[1]
        && content[2] == UTF8_BOM[2] ? 3 : 0;
  }

  /** Splits at each {@code '\n'} as go-ini's reader does; the last line may lack one. */
  private static int[] lineStarts(byte[] bytes) {
    int n = 0;
    for (byte b : bytes) {
      if (b == '\n') {
        n++;
      }
    }
    boolean tail = bytes.length > 0 && bytes[bytes.length - 1] != '\n';
    int lines = n + (tail ? 1 : 0);
    int[] out = new int[lines + 1];
    int k = 1;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n' && k <= lines) {
        out[k++] = i + 1;
      }
    }
    out[lines] = bytes.length;
    return out;
  }

  /** The number of lines. */
  int count() {
    return starts.length - 1;
  }

  /**
   * The offset of 0-based line {@code i}'s first byte (its byte order mark included for line 0);
   * {@code start(count())} is the file's size, so that {@code start(i + 1)} ends any line.
   */
  int start(int i) {
    return starts[i];
  }

  /** The text of 0-based line {@code i}: its bytes as UTF-8 ({@link IniText#check}ed). */
  String text(int i) {
    int from = i == 0 ? bom : starts[i];
    return new String(content, from, end(i) - from, StandardCharsets.UTF_8);
  }

  /** The terminator of 0-based line {@code i}: {@code \r\n}, {@code \n} or none. */
  String eol(int i) {
    int next = starts[i + 1];
    if (next == starts[i] || content[next - 1] != '\n') {
      return NONE;
    }
    return next - 2 >= starts[i] && content[next - 2] == '\r' ? CRLF : LF;
  }

  /** Where 0-based line {@code i}'s text ends (its terminator starts). */
  private int end(int i) {
    return starts[i + 1] - eol(i).length();
  }

  /** The bytes themselves, not a copy: callers only read them or write them out. */
  byte[] bytes() {
    return content;
  }

  /** Whether the last line ends with a line terminator (true for an empty file). */
  boolean endsWithNewline() {
    return content.length == 0 || content[content.length - 1] == '\n';
  }

  /** The terminator most lines end with ({@code \n} on a tie or without any): new lines use it. */
  String dominantEol() {
    int crlf = 0;
    int lf = 0;
    for (int i = 0; i < content.length; i++) {
      if (content[i] == '\n') {
        if (i > 0 && content[i - 1] == '\r') {
          crlf++;
        } else {
          lf++;
        }
      }
    }
    return crlf > lf ? CRLF : LF;
  }
}
