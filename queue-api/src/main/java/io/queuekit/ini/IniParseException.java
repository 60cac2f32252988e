package io.queuekit.ini;

import io.queuekit.ConnStrings;
import io.queuekit.QueueConfigException;

/**
 * An INI file cannot be read: a line go-ini would also reject. The message names the file, the
 * line number and the line's text (passwords masked), e.g. {@code app.ini:7: key-value delimiter
 * not found: `QUEUE TYPE redis`}.
 */
public final class IniParseException extends QueueConfigException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line;
  private final String lineText;

  IniParseException(String file, int line, String lineText, String problem) {
    super(file + ":" + line + ": " + problem + ": `" + ConnStrings.mask(lineText) + "`");
    this.file = file;
    this.line = line;
    this.lineText = ConnStrings.mask(lineText);
  }

  /** The file's name as given to the parser. */
  public String file() {
    return file;
  }

  /** The 1-based line number. */
  public int line() {
    return line;
  }

  /** The line's text, passwords masked. */
  public String lineText() {
    return lineText;
  }
}
