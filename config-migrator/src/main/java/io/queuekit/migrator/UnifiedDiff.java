package io.queuekit.migrator;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;
import io.queuekit.ConnStrings;
import io.queuekit.ini.IniFile;
import java.util.ArrayList;
import java.util.List;

/** A unified diff (3 lines of context) between two versions of an INI file, by java-diff-utils. */
final class UnifiedDiff {
  private UnifiedDiff() {}

  /**
   * The diff of {@code before} and {@code after}, one string per line, empty when they are equal.
   * Line terminators are not shown; with {@code maskPasswords}, passwords in every line are.
   */
  static List<String> of(IniFile before, IniFile after, boolean maskPasswords) {
    List<String> a = lines(before, maskPasswords);
    List<String> b = lines(after, maskPasswords);
    Patch<String> patch = DiffUtils.diff(a, b);
    if (patch.getDeltas().isEmpty()) {
      return List.of();
    }
    String name = before.sourceName();
    return UnifiedDiffUtils.generateUnifiedDiff(name, name, a, patch, 3);
  }

  private static List<String> lines(IniFile file, boolean mask) {
    List<String> out = new ArrayList<>(file.lineCount());
    for (int i = 1; i <= file.lineCount(); i++) {
      out.add(mask ? ConnStrings.mask(file.line(i)) : file.line(i));
    }
    return out;
  }
}
