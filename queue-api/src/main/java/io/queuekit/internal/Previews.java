package io.queuekit.internal;

import java.nio.charset.StandardCharsets;

/**
 * A payload (or any untrusted text) as one short line for a log, an error or a table cell: bytes
 * read as UTF-8 (invalid sequences become U+FFFD), capped at a number of characters, and every
 * character that could end or disguise a line escaped, so that a payload can neither split a log
 * line nor forge the next one.
 *
 * <p>Escaped: {@code \n}, {@code \r} and {@code \t} as those two characters; every other ISO
 * control character (U+0000–U+001F, U+007F–U+009F), the line and paragraph separators
 * (U+2028, U+2029), the bidirectional controls (U+202A–U+202E, U+2066–U+2069) and unpaired
 * surrogates as {@code \}{@code uXXXX}. A backslash is left as it is: a preview is for reading,
 * not for parsing back. When anything is left out, a payload's preview ends with {@code …(N
 * bytes)}, N being the payload's whole size, and a text's with {@code …} (or, from {@link
 * #of(String, int)}, {@code …(N chars)}).
 *
 * <p><b>Thread-safety:</b> stateless.
 */
public final class Previews {
  /** The length of a payload preview in a log line. */
  public static final int LOG_CHARS = 200;

  private Previews() {}

  /** {@code payload} as a preview of at most {@link #LOG_CHARS} characters (and the suffix). */
  public static String of(byte[] payload) {
    return of(payload, LOG_CHARS);
  }

  /**
   * {@code payload} as a preview of at most {@code maxChars} characters, an escape counting its
   * full length and never cut, followed by {@code …(N bytes)} when anything was left out.
   */
  public static String of(byte[] payload, int maxChars) {
    requireNonNegative(maxChars);
    // every character shown comes from at most 4 bytes, so decoding more cannot show more; the
    // rest of a large payload is never decoded
    int decoded = (int) Math.min(payload.length, 4L * maxChars + 4);
    String text = new String(payload, 0, decoded, StandardCharsets.UTF_8);
    StringBuilder b = new StringBuilder(Math.min(text.length(), maxChars) + 16);
    boolean whole = appendEscaped(b, text, maxChars) && decoded == payload.length;
    return whole ? b.toString() : b.append("…(").append(payload.length).append(" bytes)").toString();
  }

  /**
   * {@code text} as a preview of at most {@code maxChars} characters, as {@link #of(byte[], int)}
   * shows a payload: followed by {@code …(N chars)} when anything was left out, N being its whole
   * length. Only the characters shown are escaped: a long text costs what its preview does.
   */
  public static String of(String text, int maxChars) {
    requireNonNegative(maxChars);
    StringBuilder b = new StringBuilder(Math.min(text.length(), maxChars) + 16);
    boolean whole = appendEscaped(b, text, maxChars);
    return whole ? b.toString() : b.append("…(").append(text.length()).append(" chars)").toString();
  }

  /**
   * A dead letter's reason for a log line: escaped like {@link #text}, so a line break in a
   * handler's message cannot split the line or forge another, and at most 1,000 characters.
   */
  public static String reason(String reason) {
    return text(reason == null ? "" : reason, 1_000);
  }

  /**
   * {@code text} (a reason, a message) as a preview of at most {@code maxChars} characters, then
   * {@code …} when anything was left out: short enough for a table's column.
   */
  public static String text(String text, int maxChars) {
    requireNonNegative(maxChars);
    StringBuilder b = new StringBuilder(Math.min(text.length(), maxChars) + 16);
    boolean whole = appendEscaped(b, text, maxChars);
    return whole ? b.toString() : b.append('…').toString();
  }

  /** Appends {@code text} escaped while it fits in {@code max}; true if all of it fitted. */
  private static boolean appendEscaped(StringBuilder b, String text, int max) {
    int limit = b.length() + max;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1));
      String escape = pair ? null : escape(c);
      int need = escape != null ? escape.length() : pair ? 2 : 1;
      if (b.length() + need > limit) {
        return false;
      }
      if (escape != null) {
        b.append(escape);
      } else {
        b.append(text, i, i + need);
      }
      i += pair ? 2 : 1;
    }
    return true;
  }

  /** The escape for {@code c}, or null when it shows as itself. */
  private static String escape(char c) {
    switch (c) {
      case '\n': return "\\n";
      case '\r': return "\\r";
      case '\t': return "\\t";
      default:
        boolean hidden = Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
            || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
            || Character.isSurrogate(c); // a paired one never reaches here
        return hidden ? String.format("\\u%04x", (int) c) : null;
    }
  }

  private static void requireNonNegative(int maxChars) {
    if (maxChars < 0) {
      throw new IllegalArgumentException("maxChars must not be negative, was " + maxChars);
    }
  }
}
