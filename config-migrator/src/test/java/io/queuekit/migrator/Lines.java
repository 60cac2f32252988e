package io.queuekit.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test helper: a file's lines with their terminators, compared byte for byte. */
final class Lines {
  private Lines() {}

  /** Splits after each {@code \n}; the terminator stays with its line. */
  static List<String> of(byte[] bytes) {
    String s = new String(bytes, StandardCharsets.ISO_8859_1); // one char per byte
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', start)) {
      out.add(s.substring(start, i + 1));
      start = i + 1;
    }
    if (start < s.length()) {
      out.add(s.substring(start));
    }
    return out;
  }

  /**
   * Asserts that {@code after} holds every line of {@code before} except the 1-based {@code
   * removed} ones, byte for byte (terminators included), in the same order; lines the migration
   * added may sit between them. The last line may gain a terminator only if the file had none and
   * lines were appended, which the caller checks separately.
   */
  static void assertKept(byte[] before, byte[] after, Integer... removed) {
    List<String> a = of(before);
    List<String> b = of(after);
    List<Integer> gone = Arrays.asList(removed);
    int j = 0;
    for (int i = 0; i < a.size(); i++) {
      if (gone.contains(i + 1)) {
        continue;
      }
      String line = a.get(i);
      boolean last = i == a.size() - 1 && !line.endsWith("\n");
      while (j < b.size() && !(b.get(j).equals(line) || (last && b.get(j).startsWith(line)
          && b.get(j).substring(line.length()).matches("\r?\n")))) {
        j++;
      }
      assertThat(j).as("line %d %s kept in order", i + 1, line.strip()).isLessThan(b.size());
      j++;
    }
  }
}
