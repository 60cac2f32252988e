package io.queuekit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PreviewsTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aNewlineInAPayloadCannotSplitTheLogLine() {
    String p = Previews.of(utf8("first\nWARN forged line\r\nthird\tcolumn"));
    assertThat(p).isEqualTo("first\\nWARN forged line\\r\\nthird\\tcolumn").doesNotContain("\n", "\r");
  }

  @Test
  void everyOtherControlAndLineBreakingCharacterIsEscaped() {
    String p = Previews.of(utf8("a\u0000b\u001b[31mc\u007fd\u0085e\u2028f\u2029g\u202eh\u2066i"));
    assertThat(p).isEqualTo(
        "a\\u0000b\\u001b[31mc\\u007fd\\u0085e\\u2028f\\u2029g\\u202eh\\u2066i");
  }

  @Test
  void printableTextAndNonAsciiShowAsThemselves() {
    String text = "{\"issue\":42,\"title\":\"über 字 \uD83D\uDE00 \\\\ back\"}";
    assertThat(Previews.of(utf8(text))).isEqualTo(text);
  }

  @Test
  void invalidUtf8ShowsAsReplacementCharacters() {
    assertThat(Previews.of(new byte[] {'o', 'k', (byte) 0xff, (byte) 0xc3})).isEqualTo("ok\uFFFD\uFFFD");
  }

  @Test
  void aLongTextIsCappedAndSaysItsWholeLengthInCharacters() {
    assertThat(Previews.of("abc", 3)).isEqualTo("abc");
    assertThat(Previews.of("abcd", 3)).isEqualTo("abc…(4 chars)");
    // an escape is never cut, nor a pair split: what does not fit is left out whole
    assertThat(Previews.of("a\u0001b", 4)).isEqualTo("a…(3 chars)");
    assertThat(Previews.of("ab\uD83D\uDE00", 3)).isEqualTo("ab…(4 chars)");
  }

  @Test
  void aLongPayloadIsCappedAndSaysItsWholeSize() {
    byte[] payload = utf8("x".repeat(1_000_000));
    String p = Previews.of(payload);
    assertThat(p).isEqualTo("x".repeat(Previews.LOG_CHARS) + "…(1000000 bytes)");
    assertThat(Previews.of(utf8("abcdef"), 6)).isEqualTo("abcdef");
    assertThat(Previews.of(utf8("abcdefg"), 6)).isEqualTo("abcdef…(7 bytes)");
    assertThat(Previews.of(utf8("abc"), 0)).isEqualTo("…(3 bytes)");
    assertThat(Previews.of(new byte[0], 0)).isEmpty();
  }

  @Test
  void anEscapeOrASurrogatePairIsNeverCut() {
    // "ab\n" escapes to 4 characters: with 3 allowed the escape is left out whole
    assertThat(Previews.of(utf8("ab\ncd"), 3)).isEqualTo("ab…(5 bytes)");
    assertThat(Previews.of(utf8("ab\ncd"), 4)).isEqualTo("ab\\n…(5 bytes)");
    assertThat(Previews.of(utf8("a\uD83D\uDE00b"), 2)).isEqualTo("a…(6 bytes)");
    assertThat(Previews.of(utf8("a\uD83D\uDE00b"), 3)).isEqualTo("a\uD83D\uDE00…(6 bytes)");
  }

  @Test
  void anUnpairedSurrogateInTextIsEscaped() {
    assertThat(Previews.text("a\uD83Db", 10)).isEqualTo("a\\ud83db");
  }

  @Test
  void textIsCappedWithAnEllipsis() {
    assertThat(Previews.text("handler failed: boom", 20)).isEqualTo("handler failed: boom");
    assertThat(Previews.text("handler failed: boom!", 20)).isEqualTo("handler failed: boom…");
    assertThat(Previews.text("line one\nline two", 100)).isEqualTo("line one\\nline two");
  }

  @Test
  void randomBytesNeverYieldALineBreakOrAControlCharacterAndStayWithinTheCap() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      byte[] b = new byte[r.nextInt(600)];
      r.nextBytes(b);
      int max = r.nextInt(300);
      String p = Previews.of(b, max);
      String shown = p.contains("…(") ? p.substring(0, p.lastIndexOf("…(")) : p;
      assertThat(shown.length()).as("seed %d #%d", seed, i).isLessThanOrEqualTo(max);
      assertThat(p.chars()).as("seed %d #%d: %s", seed, i, p).noneMatch(c -> Character.isISOControl(c)
          || c == '\u2028' || c == '\u2029');
      assertThat(p.endsWith("…(" + b.length + " bytes)") || p.equals(Previews.of(b, Integer.MAX_VALUE)))
          .as("seed %d #%d: cut with the whole size, or whole", seed, i).isTrue();
    }
  }

  @Test
  void aNegativeCapIsAnError() {
    assertThatThrownBy(() -> Previews.of(new byte[1], -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }
}
