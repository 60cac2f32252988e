package io.queuekit.migrator;

import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.ChangeDelta;
import com.github.difflib.patch.Chunk;
import com.github.difflib.patch.DeleteDelta;
import com.github.difflib.patch.InsertDelta;
import com.github.difflib.patch.Patch;
import io.queuekit.ConnStrings;
import io.queuekit.ini.IniFile;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;

/**
 * A unified diff (3 lines of context) between two versions of an INI file, formatted by
 * java-diff-utils. The changes come from the edit itself ({@link IniFile.Edited#changes}), not
 * from comparing the files: a diff algorithm would need both files as lists of strings and time
 * that grows faster than the file, where the edit already knows each changed line.
 */
final class UnifiedDiff {
  private UnifiedDiff() {}

  /**
   * The diff from {@code before} to {@code after} given the {@code changes} that made one the
   * other, one string per line, empty when there are none. Line terminators are not shown; with
   * {@code maskPasswords}, passwords in every line are.
   */
  static List<String> of(IniFile before, IniFile after, List<IniFile.Change> changes,
      boolean maskPasswords) {
    if (changes.isEmpty()) {
      return List.of();
    }
    Patch<String> patch = new Patch<>(changes.size());
    for (IniFile.Change c : changes) {
      Chunk<String> source = new Chunk<>(c.oldLine() - 1,
          lines(before, c.oldLine(), c.oldCount(), maskPasswords));
      Chunk<String> target = new Chunk<>(c.newLine() - 1,
          lines(after, c.newLine(), c.newCount(), maskPasswords));
      AbstractDelta<String> delta = c.oldCount() == 0 ? new InsertDelta<>(source, target)
          : c.newCount() == 0 ? new DeleteDelta<>(source, target)
          : new ChangeDelta<>(source, target);
      patch.addDelta(delta);
    }
    String name = before.sourceName();
    // The original's lines as a view: the context lines are read from it, nothing is copied.
    List<String> original = new AbstractList<>() {
      @Override
      public String get(int i) {
        String line = before.line(i + 1);
        return maskPasswords ? ConnStrings.mask(line) : line;
      }

      @Override
      public int size() {
        return before.lineCount();
      }
    };
    return UnifiedDiffUtils.generateUnifiedDiff(name, name, original, patch, 3);
  }

  private static List<String> lines(IniFile file, int first, int count, boolean mask) {
    List<String> out = new ArrayList<>(count);
    for (int i = first; i < first + count; i++) {
      out.add(mask ? ConnStrings.mask(file.line(i)) : file.line(i));
    }
    return out;
  }
}
