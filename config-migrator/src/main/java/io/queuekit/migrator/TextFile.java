package io.queuekit.migrator;

import io.queuekit.ini.IniEncodingException;
import io.queuekit.ini.IniFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the file both commands work on, refusing what is not UTF-8 text as the service does
 * ({@link io.queuekit.ini.IniText#check}, run by {@link IniFile#parse(byte[], String)}): the
 * findings and the diff echo lines of it, and a binary file's bytes (escape sequences included)
 * must not reach the operator's terminal.
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

  /**
   * The file, parsed.
   *
   * @throws Unreadable when it cannot be read, or is not UTF-8 text (the message names the file,
   *     the line, the column and the byte)
   * @throws io.queuekit.ini.IniParseException when a line is one go-ini rejects
   */
  static IniFile read(Path file) throws Unreadable {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new Unreadable("cannot read " + file + ": " + e, e);
    }
    try {
      return IniFile.parse(bytes, file.toString());
    } catch (IniEncodingException e) {
      throw new Unreadable(e.getMessage(), e);
    }
  }
}
