package io.queuekit.ini;

import io.queuekit.QueueConfigException;

/**
 * An INI file is not UTF-8 text ({@link IniText#check}): it holds a byte sequence that is not
 * UTF-8, a NUL byte, or it is UTF-16. Nothing of the file was read. The message names the file,
 * the line, the column and the byte, e.g. {@code app.ini:3: byte 0xE9 at column 17 (byte offset
 * 41 of the file) is not UTF-8: …}; it never echoes the line, which may hold a password.
 */
public final class IniEncodingException extends QueueConfigException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line;
  private final int column;
  private final long offset;

  IniEncodingException(String file, int line, int column, long offset, String problem) {
    super(file + ":" + line + ": " + problem);
    this.file = file;
    this.line = line;
    this.column = column;
    this.offset = offset;
  }

  /** The file's name as given to the parser. */
  public String file() {
    return file;
  }

  /** The 1-based line of the first byte that is refused. */
  public int line() {
    return line;
  }

  /** The 1-based column of that byte: the characters before it on its line, plus one. */
  public int column() {
    return column;
  }

  /** The 0-based offset of that byte in the file. */
  public long offset() {
    return offset;
  }
}
