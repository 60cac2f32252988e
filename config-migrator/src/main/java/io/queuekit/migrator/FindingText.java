package io.queuekit.migrator;

import io.queuekit.ini.Finding;
import java.util.Locale;

/** How the CLI prints findings as text, compiler style: {@code file:line: severity: …}. */
final class FindingText {
  private FindingText() {}

  /**
   * Two lines:
   *
   * <pre>
   * app.ini:12: error: [indexer] ISSUE_INDEXER_QUEUE_TYPE: removed queue option …
   *     fix: move it to [queue.issue_indexer] as TYPE = redis …
   * </pre>
   */
  static String format(Finding f) {
    return f.file() + (f.line() > 0 ? ":" + f.line() : "") + ": "
        + f.severity().name().toLowerCase(Locale.ROOT) + ": [" + f.section() + "]"
        + (f.key() == null ? "" : " " + f.key()) + ": " + f.message()
        + System.lineSeparator() + "    fix: " + f.fix();
  }

  /** {@code app.ini: 2 errors, 1 warning}, or {@code app.ini: no problems found}. */
  static String summary(String file, long errors, long warnings, boolean strict) {
    if (errors == 0 && warnings == 0) {
      return file + ": no problems found";
    }
    return file + ": " + count(errors, "error") + ", " + count(warnings, "warning")
        + (strict && warnings > 0 ? " (--strict: warnings are fatal)" : "");
  }

  private static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
