package io.queuekit.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A text table whose columns are as wide as their widest cell, two spaces apart: a long id or
 * reason widens its column instead of pushing the rest of its row out of line. Numbers are aligned
 * right, text left; the last column is written as it is (no trailing spaces).
 *
 * <p><b>Thread-safety:</b> one thread; build, then {@link #toString()}.
 */
final class TextTable {
  private final boolean[] right;
  private final List<String[]> rows = new ArrayList<>();

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
    rows.add(headings.toArray(String[]::new));
  }

  /** Adds a row, one cell per column, each written with {@link String#valueOf(Object)}. */
  TextTable add(Object... cells) {
    if (cells.length != right.length) {
      throw new IllegalArgumentException(cells.length + " cells for " + right.length + " columns");
    }
    String[] row = new String[cells.length];
    for (int i = 0; i < cells.length; i++) {
      row[i] = String.valueOf(cells[i]);
    }
    rows.add(row);
    return this;
  }

  /** The heading and the rows, each line ending with a line break. */
  @Override
  public String toString() {
    int[] width = new int[right.length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    StringBuilder b = new StringBuilder();
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        boolean last = i == row.length - 1;
        String pad = " ".repeat(width[i] - row[i].length());
        b.append(right[i] ? pad + row[i] : last ? row[i] : row[i] + pad).append(last ? "\n" : "  ");
      }
    }
    return b.toString();
  }
}
