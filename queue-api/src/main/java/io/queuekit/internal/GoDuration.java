package io.queuekit.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written the way Go's {@code time.ParseDuration} reads them, as in Gitea's INI files:
 * {@code 100ms}, {@code 5s}, {@code 1m30s}, {@code 1.5h}, {@code 0}. Units: ns, us (µs), ms, s, m,
 * h. A bare number other than 0 is an error, as in Go; so is a value beyond what a {@code long}
 * of nanoseconds holds (about 292 years), as in Go.
 *
 * <p>Written by hand because no maintained Java library parses Go's duration syntax.
 *
 * <p><b>Thread-safety:</b> stateless.
 */
public final class GoDuration {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");

  private GoDuration() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException with a message quoting the text when it is not a Go duration
   *     (empty, a sign alone, a bare number, an unknown unit) or is out of range
   */
  public static Duration parse(String text) {
    String s = text.trim();
    boolean negative = false;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      throw notADuration(text);
    }
    Matcher m = PART.matcher(s);
    int at = 0;
    BigDecimal nanos = BigDecimal.ZERO;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        throw notADuration(text);
      }
      nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNanos(m.group(2)))));
      at = m.end();
    }
    if (negative) {
      nanos = nanos.negate();
    }
    try {
      // Go drops the fraction below a nanosecond; so does this
      return Duration.ofNanos(nanos.setScale(0, RoundingMode.DOWN).longValueExact());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("\"" + text + "\" is out of range: a duration holds at "
          + "most about 292 years (2562047h)", e);
    }
  }

  private static IllegalArgumentException notADuration(String text) {
    return new IllegalArgumentException(
        "\"" + text + "\" is not a duration (use Go form, e.g. 100ms, 5s, 1m30s)");
  }

  private static long unitNanos(String unit) {
    switch (unit) {
      case "ns": return 1L;
      case "us": case "µs": case "μs": return 1_000L;
      case "ms": return 1_000_000L;
      case "s": return 1_000_000_000L;
      case "m": return 60_000_000_000L;
      default: return 3_600_000_000_000L;
    }
  }

  /**
   * Formats {@code d} in Go's syntax, so that {@link #parse} reads it back to the same value:
   * {@code 1m30s}, {@code 100ms}, {@code 0s}, {@code 1.5s}. Shorter than Go's own printing where
   * that has zero parts: {@code 1h} (Go: {@code 1h0m0s}), and below a second in whole ms, us or ns
   * ({@code 1500us}, Go: {@code 1.5ms}).
   */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.isNegative()) {
      return "-" + format(d.negated());
    }
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      long n = d.toNanos();
      if (n % 1_000_000 == 0) return n / 1_000_000 + "ms";
      if (n % 1_000 == 0) return n / 1_000 + "us";
      return n + "ns";
    }
    StringBuilder b = new StringBuilder();
    long h = d.toHours();
    if (h > 0) b.append(h).append('h');
    long m = d.toMinutesPart();
    if (m > 0 || (h > 0 && (d.toSecondsPart() > 0 || d.toNanosPart() > 0))) b.append(m).append('m');
    long s = d.toSecondsPart();
    int nanos = d.toNanosPart();
    if (s > 0 || nanos > 0) {
      b.append(s);
      if (nanos > 0) {
        b.append('.').append(String.format("%09d", nanos).replaceAll("0+$", ""));
      }
      b.append('s');
    }
    return b.toString();
  }
}
