package io.queuekit.ini;

import io.queuekit.QueueConfigException;
import io.queuekit.internal.ConnStrings;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An INI file cannot be read: a line go-ini would also reject. The message names the file, the
 * line number, what is wrong and the line's text (passwords masked), e.g. {@code app.ini:7:
 * key-value delimiter not found: `QUEUE TYPE redis`}. A line that mentions a password ({@code
 * password}, {@code passwd}, in any case) is not echoed at all: a line that cannot be parsed
 * cannot be masked reliably ({@code password topSecret8 here}), so the message says what the line
 * should look like instead.
 */
public final class IniParseException extends QueueConfigException {
  private static final long serialVersionUID = 1L;
  /** A line that mentions a password is not echoed: unparsed, it cannot be masked reliably. */
  private static final Pattern SECRET = Pattern.compile("passw(or)?d", Pattern.CASE_INSENSITIVE);

  private final String file;
  private final int line;
  private final String lineText;
  private final String problem;
  private final String section;

  IniParseException(String file, int line, String lineText, String problem, String section) {
    super(file + ":" + line + ": " + detail(problem, shown(lineText)));
    this.file = file;
    this.line = line;
    this.lineText = shown(lineText);
    this.problem = problem;
    this.section = section;
  }

  /** The line as messages show it: masked, or null when it mentions a password. */
  private static String shown(String lineText) {
    return SECRET.matcher(lineText).find() ? null : ConnStrings.mask(lineText);
  }

  private static String detail(String problem, String shown) {
    return shown != null ? problem + ": `" + shown + "`" : problem + " (the line is not shown:"
        + " it mentions a password; a line is [section], KEY = value, KEY: value, or a comment"
        + " starting with ; or #)";
  }

  /** The file's name as given to the parser. */
  public String file() {
    return file;
  }

  /** The 1-based line number. */
  public int line() {
    return line;
  }

  /**
   * The line's text, passwords masked; empty when the line mentions a password and is not shown
   * ({@link #detail()} says so).
   */
  public Optional<String> lineText() {
    return Optional.ofNullable(lineText);
  }

  /**
   * The message without {@code file:line: }: what is wrong, then the line's masked text in
   * backticks, or why it is not shown.
   */
  public String detail() {
    return detail(problem, lineText);
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
