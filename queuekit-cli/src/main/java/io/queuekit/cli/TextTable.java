package io.queuekit.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The CLI's one text table (every table a command prints is one of these): each column is as wide
 * as its widest cell, heading included, columns two spaces apart, so a long name or a large number
 * widens its column instead of pushing the rest of its row out of line. Numbers are aligned right,
 * text left; the last column is written as it is (no trailing spaces). A width is counted in
 * terminal cells ({@link #width}), so a CJK reason or an emoji in a name keeps its row in line.
 *
 * <p>The table cuts nothing: a caller that caps a cell (a preview of a payload, a long queue name)
 * does so before adding it, marking the cut with {@code …}, and says where the whole text is.
 *
 * <p><b>Thread-safety:</b> one thread; build, then {@link #toString()}.
 */
final class TextTable {
  /** A row: its cells, for the first columns, then (or null) a text running to the end of the line. */
  private record Row(String[] cells, String rest) {}

  private final boolean[] right;
  private final List<Row> rows = new ArrayList<>();

  /**
   * A table with these column headings.
   *
   * @param right for each column, whether it is aligned right (numbers)
   */
  TextTable(List<String> headings, boolean... right) {
    if (headings.size() != right.length) {
      throw new IllegalArgumentException(headings.size() + " headings but " + right.length + " alignments");
    }
    this.right = right.clone();
    rows.add(new Row(headings.toArray(String[]::new), null));
  }

  /** Adds a row, one cell per column, each written with {@link String#valueOf(Object)}. */
  TextTable add(Object... cells) {
    if (cells.length != right.length) {
      throw new IllegalArgumentException(cells.length + " cells for " + right.length + " columns");
    }
    rows.add(new Row(strings(cells), null));
    return this;
  }

  /**
   * Adds a row with cells for the first columns only, followed by {@code rest}, which starts where
   * the next column does and runs to the end of the line (a row that has no figures to show, saying
   * why). {@code rest} widens no column.
   */
  TextTable addThen(String rest, Object... first) {
    if (first.length >= right.length) {
      throw new IllegalArgumentException(first.length + " cells before the rest of a row of " + right.length
          + " columns");
    }
    rows.add(new Row(strings(first), rest));
    return this;
  }

  private static String[] strings(Object[] cells) {
    String[] row = new String[cells.length];
    for (int i = 0; i < cells.length; i++) {
      row[i] = String.valueOf(cells[i]);
    }
    return row;
  }

  /**
   * How many terminal cells {@code s} takes, as a terminal shows it: most characters one, East
   * Asian wide and fullwidth ones (CJK, Hangul, fullwidth forms) and emoji two, combining marks and
   * format characters (a zero-width joiner) none. An approximation of {@code wcwidth(3)} without
   * its tables: a character it misjudges shifts the rest of its row by a cell, no more.
   */
  static int width(String s) {
    int w = 0;
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      w += cells(c);
    }
    return w;
  }

  private static int cells(int c) {
    int type = Character.getType(c);
    if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
        || (type == Character.FORMAT && c != 0x00ad)) {
      return 0;
    }
    boolean wide = c >= 0x1100 && (c <= 0x115f // Hangul Jamo initial consonants
        || c == 0x2329 || c == 0x232a
        || (c >= 0x2e80 && c <= 0xa4cf && c != 0x303f) // CJK radicals .. Yi
        || (c >= 0xac00 && c <= 0xd7a3) // Hangul syllables
        || (c >= 0xf900 && c <= 0xfaff) // CJK compatibility ideographs
        || (c >= 0xfe10 && c <= 0xfe19) // vertical forms
        || (c >= 0xfe30 && c <= 0xfe6f) // CJK compatibility forms
        || (c >= 0xff00 && c <= 0xff60) // fullwidth forms
        || (c >= 0xffe0 && c <= 0xffe6)
        || (c >= 0x1f300 && c <= 0x1f64f) // pictographs, emoticons
        || (c >= 0x1f680 && c <= 0x1f6ff) // transport and map symbols
        || (c >= 0x1f900 && c <= 0x1f9ff) // supplemental symbols and pictographs
        || (c >= 0x20000 && c <= 0x2fffd)
        || (c >= 0x30000 && c <= 0x3fffd));
    return wide ? 2 : 1;
  }

  /** The heading and the rows, each line ending with a line break. */
  @Override
  public String toString() {
    int[] width = new int[right.length];
    for (Row row : rows) {
      for (int i = 0; i < row.cells().length; i++) {
        width[i] = Math.max(width[i], width(row.cells()[i]));
      }
    }
    StringBuilder b = new StringBuilder();
    for (Row row : rows) {
      StringBuilder line = new StringBuilder();
      String[] cells = row.cells();
      for (int i = 0; i < cells.length; i++) {
        String pad = " ".repeat(width[i] - width(cells[i]));
        line.append(right[i] ? pad + cells[i] : cells[i] + pad).append("  ");
      }
      if (row.rest() != null) {
        line.append(row.rest());
      }
      b.append(line.toString().stripTrailing()).append('\n');
    }
    return b.toString();
  }
}
