package io.queuekit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.spi.StoreStats;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code queues}' text table. Its columns were fixed (QUEUE 24 wide, each figure 9): a longer name
 * pushed the rest of its row right, and a figure of ten digits or more pushed the columns after it.
 * Each column is now as wide as its widest cell, figures aligned right; a name over 40 characters
 * is cut with … and a line under the table says where the whole name is.
 */
class QueuesTableTest {
  private static StoreStats stats(long ready, long delayed, long inFlight, long dead) {
    return new StoreStats(ready, delayed, inFlight, dead, 0, Optional.empty());
  }

  /** Where each column of {@code line} ends, the columns being two or more spaces apart. */
  private static List<Integer> ends(String line) {
    List<Integer> ends = new java.util.ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\S+( \\S+)*").matcher(line);
    while (m.find()) {
      ends.add(m.end());
    }
    return ends;
  }

  @Test
  void shortNamesAndSmallFiguresMakeANarrowTable() {
    String table = new QueuesTable()
        .figures("index", "level", stats(3, 0, 0, 2), "41m")
        .without("mail", "channel", "(in the service's memory: see its admin page)")
        .toString();
    assertThat(table).isEqualTo(""
        + "QUEUE  TYPE     READY  DELAYED  IN-FLIGHT  DEAD  OLDEST WAITING\n"
        + "index  level        3        0          0     2  41m\n"
        + "mail   channel  (in the service's memory: see its admin page)\n");
  }

  @Test
  void largeFiguresWidenTheirColumnsAndStayAlignedRight() {
    String table = new QueuesTable()
        .figures("issue_indexer", "redis", stats(Long.MAX_VALUE, 1_234_567_890L, 20, 7), "41m")
        .figures("mail_sender", "postgres", stats(5, 0, 12_345_678_901L, 0), "-")
        .toString();
    assertThat(table).isEqualTo(""
        + "QUEUE          TYPE                    READY     DELAYED    IN-FLIGHT  DEAD  OLDEST WAITING\n"
        + "issue_indexer  redis     9223372036854775807  1234567890           20     7  41m\n"
        + "mail_sender    postgres                    5           0  12345678901     0  -\n");
    String[] lines = table.split("\n");
    // every figure ends where its heading does (columns 2..5: READY, DELAYED, IN-FLIGHT, DEAD)
    for (String row : List.of(lines[1], lines[2])) {
      assertThat(ends(row).subList(2, 6)).as(row).isEqualTo(ends(lines[0]).subList(2, 6));
    }
  }

  @Test
  void aVeryLongNameIsCutWithAnEllipsisAndTheTableSaysWhereItIsWhole() {
    String forty = "repo_archive_cleanup_of_organisations_v2";
    String longer = "repo_archive_cleanup_for_organisations_with_many_mirrors_v2";
    assertThat(forty).hasSize(QueuesTable.NAME_MAX);
    String table = new QueuesTable()
        .figures("index", "level", stats(3, 0, 0, 2), "41m")
        .figures(forty, "level", stats(10, 0, 0, 0), "5s")
        .figures(longer, "level", stats(100_000, 1, 0, 0), "2h")
        .without(longer + "_x", "level", "error: queue \"" + longer + "_x\": no store")
        .toString();
    assertThat(table).isEqualTo(""
        + "QUEUE                                      TYPE    READY  DELAYED  IN-FLIGHT  DEAD  OLDEST WAITING\n"
        + "index                                      level       3        0          0     2  41m\n"
        + "repo_archive_cleanup_of_organisations_v2   level      10        0          0     0  5s\n"
        + "repo_archive_cleanup_for_organisations_w…  level  100000        1          0     0  2h\n"
        + "repo_archive_cleanup_for_organisations_w…  level  error: queue \"" + longer + "_x\": no store\n"
        + "(a name ending in … is cut at 40 characters: queues --format json shows it whole)\n");
    String[] lines = table.split("\n");
    for (int i = 1; i <= 4; i++) {
      assertThat(lines[i].indexOf("level")).as(lines[i]).isEqualTo(lines[0].indexOf("TYPE"));
    }
  }

  @Test
  void aNameOfFortyCharactersOrLessIsWholeAndNothingIsSaidAboutCutting() {
    String table = new QueuesTable()
        .figures("x".repeat(QueuesTable.NAME_MAX), "level", stats(1, 0, 0, 0), "1s").toString();
    assertThat(table).contains("x".repeat(QueuesTable.NAME_MAX) + "  level").doesNotContain("…");
  }

  @Test
  void rowsWithoutFiguresOnlyTakeTheHeadingsWidths() {
    String table = new QueuesTable()
        .without("issue_indexer", "redis", "error: queue \"issue_indexer\": cannot reach Redis")
        .without("mail", "redis", "error: queue \"mail\": not tried again")
        .toString();
    assertThat(table).isEqualTo(""
        + "QUEUE          TYPE   READY  DELAYED  IN-FLIGHT  DEAD  OLDEST WAITING\n"
        + "issue_indexer  redis  error: queue \"issue_indexer\": cannot reach Redis\n"
        + "mail           redis  error: queue \"mail\": not tried again\n");
  }

  @Test
  void aControlCharacterInANameIsShownEscapedNotSentToTheTerminal() {
    String table = new QueuesTable().figures("bad\u001b[31mname", "level", stats(1, 0, 0, 0), "-").toString();
    assertThat(table).doesNotContain("\u001b").contains("bad\\u001b[31mname  level")
        .startsWith("QUEUE" + " ".repeat("bad\\u001b[31mname".length() - 5 + 2) + "TYPE");
  }
}
