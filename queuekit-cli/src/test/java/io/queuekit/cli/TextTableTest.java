package io.queuekit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The CLI's one table: columns as wide as their widest cell, numbers right, no trailing spaces. */
class TextTableTest {

  @Test
  void eachColumnIsAsWideAsItsWidestCellHeadingIncluded() {
    String table = new TextTable(List.of("NAME", "N", "NOTE"), false, true, false)
        .add("a", 1_000_000_000_000L, "x")
        .add("a-much-longer-name", 7, "")
        .toString();
    assertThat(table).isEqualTo(""
        + "NAME                            N  NOTE\n"
        + "a                   1000000000000  x\n"
        + "a-much-longer-name              7\n");
  }

  @Test
  void aRowsRestStartsAtItsColumnAndWidensNothing() {
    String table = new TextTable(List.of("NAME", "COUNT", "AGE"), false, true, false)
        .add("index", 12, "3s")
        .addThen("a long explanation that is wider than every column", "mail")
        .toString();
    assertThat(table).isEqualTo(""
        + "NAME   COUNT  AGE\n"
        + "index     12  3s\n"
        + "mail   a long explanation that is wider than every column\n");
  }

  @Test
  void aRightAlignedLastColumnIsPaddedOnTheLeftOnly() {
    assertThat(new TextTable(List.of("A", "COUNT"), false, true).add("x", 5).toString())
        .isEqualTo("A  COUNT\nx      5\n");
  }

  /**
   * A width is what a terminal shows: a CJK character or an emoji takes two cells, a combining
   * accent none. Counted as UTF-16 units, "处理失败" took 4 where a terminal gives it 8, and "é"
   * written as e and a combining accent took 2.
   */
  @Test
  void widthsAreTerminalCells() {
    assertThat(TextTable.width("abc")).isEqualTo(3);
    assertThat(TextTable.width("处理失败")).isEqualTo(8);
    assertThat(TextTable.width("\uD83D\uDCE6")).as("📦").isEqualTo(2);
    assertThat(TextTable.width("e\u0301")).as("e and a combining acute").isEqualTo(1);
    assertThat(TextTable.width("a\u200db")).as("a zero-width joiner").isEqualTo(2);
    String table = new TextTable(List.of("REASON", "N", "PAYLOAD"), false, true, false)
        .add("处理失败", 1, "x")
        .add("\uD83D\uDCE6 lost", 22, "y")
        .add("timeout", 333, "z")
        .toString();
    assertThat(table).isEqualTo(""
        + "REASON      N  PAYLOAD\n"
        + "处理失败    1  x\n"
        + "\uD83D\uDCE6 lost    22  y\n"
        + "timeout   333  z\n");
  }

  @Test
  void aRowMustFitTheColumns() {
    TextTable table = new TextTable(List.of("A", "B"), false, false);
    assertThatThrownBy(() -> table.add("only one")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> table.addThen("rest", "a", "b")).isInstanceOf(IllegalArgumentException.class);
  }
}
