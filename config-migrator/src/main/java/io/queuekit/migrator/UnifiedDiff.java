package io.queuekit.migrator;

import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.ChangeDelta;
import com.github.difflib.patch.Chunk;
import com.github.difflib.patch.DeleteDelta;
import com.github.difflib.patch.InsertDelta;
import com.github.difflib.patch.Patch;
import io.queuekit.ini.IniFile;
import io.queuekit.internal.ConnStrings;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A unified diff (3 lines of context) between two versions of an INI file, formatted by
 * java-diff-utils. The changes come from the edit itself ({@link IniFile.Edited#changes}), not
 * from comparing the files: a diff algorithm would need both files as lists of strings and time
 * that grows faster than the file, where the edit already knows each changed line.
 */
final class UnifiedDiff {
  private UnifiedDiff() {}

  private static final int CONTEXT = 3;
  /** What diff writes after a last line that has no terminator, on a line of its own. */
  static final String NO_NEWLINE = "\\ No newline at end of file";

  /**
   * Hands each line of the diff from {@code before} to {@code after}, given the {@code changes}
   * that made one the other, to {@code out} as it is made, hunk by hunk: a diff of a large file
   * with many changes is never held whole. Nothing when there are no changes. The diff is one
   * {@code patch} applies to {@code before}, as diff writes it: a line of a CRLF file keeps its
   * CR, and a last line without a terminator is followed by {@link #NO_NEWLINE}. With {@code
   * maskPasswords}, passwords in every line are masked: such a line no longer matches the file
   * (a {@code -} or context line) or writes {@code ****} into it (a {@code +} line), so {@code
   * patch} cannot apply that hunk as it is; the result says whether it happened, for the caller
   * to say so.
   *
   * @return whether a line of the diff was shown with a password masked
   */
  static boolean write(IniFile before, IniFile after, List<IniFile.Change> changes,
      boolean maskPasswords, Consumer<String> out) {
    String name = before.sourceName();
    boolean[] masked = {false};
    // The original's lines as a view: the context lines are read from it, nothing is copied.
    List<String> original = new AbstractList<>() {
      @Override
      public String get(int i) {
        return shown(before, i + 1, maskPasswords, masked);
      }

      @Override
      public int size() {
        return before.lineCount();
      }
    };
    boolean header = true;
    int from = 0;
    while (from < changes.size()) {
      // the changes whose contexts touch make one hunk; each hunk is formatted on its own
      int to = from + 1;
      while (to < changes.size() && changes.get(to).oldLine()
          - (changes.get(to - 1).oldLine() + changes.get(to - 1).oldCount()) <= 2 * CONTEXT) {
        to++;
      }
      Patch<String> patch = new Patch<>(to - from);
      for (IniFile.Change c : changes.subList(from, to)) {
        Chunk<String> source = new Chunk<>(c.oldLine() - 1,
            lines(before, c.oldLine(), c.oldCount(), maskPasswords, masked));
        Chunk<String> target = new Chunk<>(c.newLine() - 1,
            lines(after, c.newLine(), c.newCount(), maskPasswords, masked));
        AbstractDelta<String> delta = c.oldCount() == 0 ? new InsertDelta<>(source, target)
            : c.newCount() == 0 ? new DeleteDelta<>(source, target)
            : new ChangeDelta<>(source, target);
        patch.addDelta(delta);
      }
      List<String> hunk = UnifiedDiffUtils.generateUnifiedDiff(name, name, original, patch,
          CONTEXT);
      // the "--- name" and "+++ name" lines once, before the first hunk; a line shown with
      // NO_NEWLINE after it is two lines
      for (String line : hunk.subList(header ? 0 : Math.min(2, hunk.size()), hunk.size())) {
        for (String part : line.split("\n", -1)) {
          out.accept(part);
        }
      }
      header = false;
      from = to;
    }
    return masked[0];
  }

  private static List<String> lines(IniFile file, int first, int count, boolean mask,
      boolean[] masked) {
    List<String> out = new ArrayList<>(count);
    for (int i = first; i < first + count; i++) {
      out.add(shown(file, i, mask, masked));
    }
    return out;
  }

  /**
   * Line {@code number} of {@code file} as the diff shows it. The CR of a CRLF stays, as diff
   * keeps it: patch compares lines with their CR and refuses a hunk whose line endings differ from
   * the file's. A last line without a terminator is followed by {@link #NO_NEWLINE} after a line
   * break (a line never holds one otherwise), which {@link #write} hands on as a line of its own;
   * without it patch would give that line a terminator, or find the hunk does not match. Sets
   * {@code masked[0]} when a password was masked.
   */
  private static String shown(IniFile file, int number, boolean mask, boolean[] masked) {
    String raw = file.line(number);
    String text = mask ? ConnStrings.mask(raw) : raw;
    if (!text.equals(raw)) {
      masked[0] = true;
    }
    String end = file.terminator(number);
    return end.isEmpty() ? text + "\n" + NO_NEWLINE : end.equals("\r\n") ? text + "\r" : text;
  }
}
