package io.queuekit.migrator;

import io.queuekit.ini.IniFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the file both commands work on, refusing what is not a text file: the findings and the
 * diff echo lines of it, and a binary file's bytes (escape sequences included) must not reach
 * the operator's terminal.
 */
final class TextFile {
  private TextFile() {}

  /** A file that cannot be read, or is not UTF-8 text; the message says which and why. */
  static final class Unreadable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreadable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  static IniFile read(Path file) throws Unreadable {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new Unreadable("cannot read " + file + ": " + e, e);
    }
    for (byte b : bytes) {
      if (b == 0) {
        throw new Unreadable(file + " is not a text file (it holds NUL bytes); nothing was read", null);
      }
    }
    if (!isUtf8(bytes)) {
      throw new Unreadable(file + " is not UTF-8 text, as Gitea's app.ini is; nothing was read",
          null);
    }
    return IniFile.parse(bytes, file.toString());
  }

  /** Whether {@code bytes} are valid UTF-8, decoded through a small buffer: a large file is not copied. */
  private static boolean isUtf8(byte[] bytes) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(8192);
    while (true) {
      CoderResult r = decoder.decode(in, out, true);
      if (r.isError()) {
        return false;
      }
      out.clear();
      if (r.isUnderflow()) {
        return !decoder.flush(out).isError();
      }
    }
  }
}
