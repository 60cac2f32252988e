package io.queuekit.ini;

/**
 * One {@code key = value} line of an {@link IniFile} (several lines for a {@code """} or backtick
 * value spanning lines): the key and value as go-ini reads them, and where they are.
 *
 * <p>An entry belongs to the {@link IniFile} it was read from; the file's editing methods accept
 * only their own entries, because an edit returns a new file whose line numbers may differ.
 *
 * <p><b>Thread-safety:</b> immutable.
 */
public final class IniEntry {
  final IniFile owner;
  private final String section;
  private final String key;
  private final String value;
  private final int line;
  private final int lastLine;
  // Offsets into the text of the first and the last line: the value as written (quotes included)
  // is text[valueStart, ...) of the first line up to valueEnd of the last line.
  final int valueStart;
  final int valueEnd;
  // How this line writes its key: the blanks before it and the text between key and value.
  final String indent;
  final String delimiter;
  private final String inlineComment;

  IniEntry(IniFile owner, String section, String key, String value, int line, int lastLine,
      int valueStart, int valueEnd, String indent, String delimiter, String inlineComment) {
    this.owner = owner;
    this.section = section;
    this.key = key;
    this.value = value;
    this.line = line;
    this.lastLine = lastLine;
    this.valueStart = valueStart;
    this.valueEnd = valueEnd;
    this.indent = indent;
    this.delimiter = delimiter;
    this.inlineComment = inlineComment;
  }

  /** The section, as go-ini names it ({@value IniFile#DEFAULT_SECTION} before the first header). */
  public String section() {
    return section;
  }

  /** The key, exactly as go-ini reads it (case kept: go-ini's keys are case-sensitive). */
  public String key() {
    return key;
  }

  /** The value as go-ini reads it: unquoted, inline comment removed, trimmed unless quoted. */
  public String value() {
    return value;
  }

  /** The 1-based number of the line the entry starts on. */
  public int line() {
    return line;
  }

  /** The 1-based number of the entry's last line ({@link #line()} unless the value spans lines). */
  public int lastLine() {
    return lastLine;
  }

  /**
   * The text after the value on the entry's last line, blanks before it removed: the inline
   * comment such as {@code "; tuned"}, or {@code ""}.
   */
  public String inlineComment() {
    return inlineComment;
  }

  /** The text of the entry's first line as written, without its line terminator. */
  public String lineText() {
    return owner.line(line);
  }

  /** The source file's name. */
  public String file() {
    return owner.sourceName();
  }

  /** {@code app.ini:12 [queue] LENGTH}: where the entry is, without its value. */
  @Override
  public String toString() {
    return owner.sourceName() + ":" + line + " [" + section + "] " + key;
  }
}
