package io.queuekit.ini;

/**
 * Writes a value so that go-ini reads back exactly that value (see {@link IniParser}): plain when
 * it can, in backticks when it holds {@code #} or {@code ;}, blanks at either end, surrounding
 * quotes or a leading {@code """}, and in {@code """} when it holds a backtick or a line break.
 */
final class IniValues {
  private static final String TRIPLE = "\"\"\"";

  private IniValues() {}

  static String quote(String value) {
    if (value.isEmpty()) {
      return value;
    }
    boolean lineBreak = value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0;
    if (lineBreak || value.indexOf('`') >= 0) {
      if (value.contains(TRIPLE)) {
        throw new IllegalArgumentException("go-ini cannot read back a value holding both "
            + (lineBreak ? "a line break" : "a backtick") + " and \"\"\": " + value);
      }
      return TRIPLE + value + TRIPLE;
    }
    boolean needsQuotes = value.indexOf('#') >= 0 || value.indexOf(';') >= 0
        || IniParser.isSpace(value.charAt(0)) || IniParser.isSpace(value.charAt(value.length() - 1))
        || value.startsWith(TRIPLE)
        || surrounded(value, '"') || surrounded(value, '\'');
    return needsQuotes ? "`" + value + "`" : value;
  }

  private static boolean surrounded(String s, char quote) {
    return s.length() >= 2 && s.charAt(0) == quote && s.charAt(s.length() - 1) == quote;
  }
}
