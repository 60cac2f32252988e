package io.queuekit.ini;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One physical line of an INI file: its bytes exactly as read (without the terminator), the same
 * bytes decoded as UTF-8 for parsing, and its terminator ({@code "\r\n"}, {@code "\n"}, or {@code
 * ""} for a last line without one). Writing {@code raw} and {@code eol} back reproduces the file
 * byte for byte, even where the bytes are not valid UTF-8. Immutable.
 */
final class IniLine {
  static final String LF = "\n";
  static final String CRLF = "\r\n";
  static final String NONE = "";

  private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  final byte[] raw;
  final String text;
  final String eol;

  private IniLine(byte[] raw, String text, String eol) {
    this.raw = raw;
    this.text = text;
    this.eol = eol;
  }

  /** A new line written by an edit: its bytes are its text in UTF-8. */
  static IniLine of(String text, String eol) {
    return new IniLine(text.getBytes(StandardCharsets.UTF_8), text, eol);
  }

  /** The same bytes with another terminator. */
  IniLine withEol(String newEol) {
    return new IniLine(raw, text, newEol);
  }

  /** The text go-ini parses: the line with its terminator, as go-ini's reader returns it. */
  String withTerminator() {
    return text + eol;
  }

  /**
   * Splits {@code bytes} at each {@code '\n'} as go-ini's reader does; a {@code '\r'} right before
   * it is part of the terminator. The text of the first line leaves out a UTF-8 byte order mark
   * (its raw bytes keep it).
   */
  static List<IniLine> split(byte[] bytes) {
    List<IniLine> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        boolean cr = i > start && bytes[i - 1] == '\r';
        int end = cr ? i - 1 : i;
        lines.add(fromBytes(bytes, start, end, cr ? CRLF : LF, lines.isEmpty()));
        start = i + 1;
      }
    }
    if (start < bytes.length) {
      lines.add(fromBytes(bytes, start, bytes.length, NONE, lines.isEmpty()));
    }
    return lines;
  }

  /** Splits text that an edit writes into lines, each ending with {@code eol} but the last. */
  static List<IniLine> splitText(String text, String lastEol) {
    List<IniLine> lines = new ArrayList<>();
    int start = 0;
    for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
      boolean cr = i > start && text.charAt(i - 1) == '\r';
      lines.add(of(text.substring(start, cr ? i - 1 : i), cr ? CRLF : LF));
      start = i + 1;
    }
    lines.add(of(text.substring(start), lastEol));
    return lines;
  }

  private static IniLine fromBytes(byte[] bytes, int from, int to, String eol, boolean first) {
    byte[] raw = java.util.Arrays.copyOfRange(bytes, from, to);
    int skip = first && startsWith(raw, UTF8_BOM) ? UTF8_BOM.length : 0;
    return new IniLine(raw, decode(raw, skip), eol);
  }

  private static boolean startsWith(byte[] raw, byte[] prefix) {
    if (raw.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (raw[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static String decode(byte[] raw, int offset) {
    // Malformed bytes become U+FFFD for parsing only; the raw bytes are what is written back.
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    try {
      return decoder.decode(ByteBuffer.wrap(raw, offset, raw.length - offset)).toString();
    } catch (CharacterCodingException e) {
      // Cannot happen with REPLACE; keep the cause if it ever does.
      throw new IllegalStateException("UTF-8 decoder with REPLACE failed", e);
    }
  }
}
