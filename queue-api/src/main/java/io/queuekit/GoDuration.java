package io.queuekit;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written the way Go's {@code time.ParseDuration} reads them, as in Gitea's INI files:
 * {@code 100ms}, {@code 5s}, {@code 1m30s}, {@code 1.5h}, {@code 0}. Units: ns, us (µs), ms, s, m,
 * h. A bare number other than 0 is an error, as in Go.
 *
 * <p>Written by hand because no maintained Java library parses Go's duration syntax.
 */
public final class GoDuration {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");

  private GoDuration() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException with a message quoting the text when it is not a Go duration
   */
  public static Duration parse(String text) {
    String s = text.trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    boolean negative = false;
    if (s.charAt(0) == '-' || s.charAt(0) == '+') {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = PART.matcher(s);
    int at = 0;
    BigDecimal nanos = BigDecimal.ZERO;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException("\"" + text + "\" is not a duration (use Go form, e.g. 100ms, 5s, 1m30s)");
      }
      nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNanos(m.group(2)))));
      at = m.end();
    }
    Duration d = Duration.ofNanos(nanos.longValueExact());
    return negative ? d.negated() : d;
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

  /** Formats {@code d} the way Go prints it: {@code 1m30s}, {@code 100ms}, {@code 0s}. */
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
