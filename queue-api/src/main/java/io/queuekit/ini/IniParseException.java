package io.queuekit.ini;

import io.queuekit.QueueConfigException;
import io.queuekit.internal.ConnStrings;

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
  private final String problem;
  private final String section;

  IniParseException(String file, int line, String lineText, String problem, String section) {
    super(file + ":" + line + ": " + problem + ": `" + ConnStrings.mask(lineText) + "`");
    this.file = file;
    this.line = line;
    this.lineText = ConnStrings.mask(lineText);
    this.problem = problem;
    this.section = section;
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

  /** What is wrong with the line, e.g. {@code key-value delimiter not found}. */
  public String problem() {
    return problem;
  }

  /** The section the line is in ({@code DEFAULT} before the first header). */
  public String section() {
    return section;
  }
}
