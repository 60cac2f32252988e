package io.queuekit.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a dead letter's reason is shown in a list: escaped, bounded, and its whole length when cut. */
class DeadViewTest {

  @Test
  void aShortReasonIsShownWholeAndEscaped() {
    assertThat(DeadView.reason("bad input\nline 2")).isEqualTo("bad input\\nline 2");
    assertThat(DeadView.reason("ends with an ellipsis…")).isEqualTo("ends with an ellipsis…");
    assertThat(DeadView.reason("y".repeat(DeadView.REASON_CHARS))).isEqualTo("y".repeat(DeadView.REASON_CHARS));
    assertThat(DeadView.reason(null)).isEmpty();
  }

  @Test
  void aLongReasonIsCutNamingItsLength() {
    assertThat(DeadView.reason("y".repeat(DeadView.REASON_CHARS + 1)))
        .isEqualTo("y".repeat(DeadView.REASON_CHARS) + "…(1001 chars)");
  }

  @Test
  void escapesCountTowardsTheBound() {
    String shown = DeadView.reason("\u0001".repeat(400)); // 2,400 characters once escaped
    assertThat(shown).endsWith("…(400 chars)").startsWith("\\u0001");
    assertThat(shown.length()).isLessThanOrEqualTo(DeadView.REASON_CHARS + "…(400 chars)".length());
  }

  @Test
  void aSurrogatePairIsNeverSplit() {
    String reason = "y".repeat(DeadView.REASON_CHARS - 1) + "\uD83D\uDE00" + "z";
    assertThat(DeadView.reason(reason)).isEqualTo("y".repeat(DeadView.REASON_CHARS - 1) + "…(1002 chars)");
  }
}
