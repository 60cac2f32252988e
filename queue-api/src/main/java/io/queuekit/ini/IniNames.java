package io.queuekit.ini;

/**
 * Checks the section names, keys and inline comments an edit writes, so that go-ini reads them
 * back as given (see {@link IniParser}): a name with blanks at either end or a line break would
 * be read as another name, a key holding {@code =} or {@code :} would be cut there, and a key
 * starting like a header, a comment or a quoted key would not be read as that key at all. Values
 * are {@link IniValues}' concern.
 *
 * <p><b>Thread-safety:</b> stateless.
 */
final class IniNames {
  private IniNames() {}

  /** @throws IllegalArgumentException for a section name go-ini would not read back as given */
  static void checkSection(String section) {
    checkName("section", section, "");
  }

  /**
   * @param inlineComment {@code ""}, or text starting with {@code ;} or {@code #} on one line
   * @throws IllegalArgumentException for a key or comment go-ini would not read back as given
   */
  static void checkKey(String key, String inlineComment) {
    checkName("key", key, "=:");
    if (key.startsWith("[") || key.startsWith("#") || key.startsWith(";")
        || key.startsWith("\"") || key.startsWith("`")) {
      throw new IllegalArgumentException("key " + key + " cannot start with " + key.charAt(0));
    }
    if (!inlineComment.isEmpty() && !inlineComment.startsWith(";")
        && !inlineComment.startsWith("#") || inlineComment.contains("\n")) {
      throw new IllegalArgumentException("an inline comment starts with ; or #: " + inlineComment);
    }
  }

  private static void checkName(String what, String name, String forbidden) {
    if (name.isEmpty() || !IniParser.trimSpace(name).equals(name) || name.contains("\n")
        || name.contains("\r") || IniParser.leadingSpace(name, 0) > 0) {
      throw new IllegalArgumentException("invalid " + what + " name: '" + name + "'");
    }
    for (char c : forbidden.toCharArray()) {
      if (name.indexOf(c) >= 0) {
        throw new IllegalArgumentException(what + " " + name + " cannot contain " + c);
      }
    }
  }
}
