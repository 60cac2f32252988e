package io.queuekit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.spi.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The text table of {@code dead list}: its DEAD AT column was 24 wide, but a time with nanoseconds
 * is 30 characters, so the rows after it were out of line with the heading.
 */
class DeadTableTest {
  private static DeadLetter dead(long id, Instant deadAt, String reason) {
    return new DeadLetter(id, ("payload-" + id).getBytes(StandardCharsets.UTF_8), reason, 3, 0,
        Instant.EPOCH, deadAt);
  }

  @Test
  void everyColumnStartsWhereItsHeadingDoes() {
    String table = DeadCommand.table(List.of(
        dead(7, Instant.parse("2024-05-01T10:11:12.123456789Z"), "refused"),
        dead(123_456_789_012L, Instant.parse("2024-05-01T10:11:12Z"), "a reason longer than twenty characters"),
        dead(9, Instant.parse("2024-05-01T10:11:12.5Z"), "short")));
    String[] lines = table.split("\n");
    assertThat(lines).hasSize(4);
    int deadAt = lines[0].indexOf("DEAD AT");
    int reason = lines[0].indexOf("REASON");
    int payload = lines[0].indexOf("PAYLOAD");
    for (String row : List.of(lines).subList(1, lines.length)) {
      assertThat(row.indexOf("2024-05-01T10:11:12")).as(row).isEqualTo(deadAt);
      assertThat(row.indexOf("payload-")).as(row).isEqualTo(payload);
      assertThat(row.substring(reason)).as(row).doesNotStartWith(" ");
    }
    assertThat(lines[1]).as("times alike: UTC to the millisecond").contains("2024-05-01T10:11:12.123Z  ")
        .startsWith(" ".repeat(lines[2].indexOf(' ') - 1) + "7  ");
    assertThat(lines[2]).contains("2024-05-01T10:11:12.000Z  ").startsWith("123456789012  ");
    assertThat(lines[3]).contains("2024-05-01T10:11:12.500Z  ");
  }

  @Test
  void anEmptyPageIsTheHeadingAlone() {
    assertThat(DeadCommand.table(List.of())).isEqualTo("ID  DEAD AT  DELIV  RECOV  REASON  PAYLOAD\n");
  }
}
