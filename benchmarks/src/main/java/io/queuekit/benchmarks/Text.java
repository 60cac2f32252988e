package io.queuekit.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Number and table formatting for BENCHMARKS.md. Stateless. */
final class Text {
  private Text() {}

  /** {@code 2 s}, {@code 500 ms}, {@code 1 min 30 s}. */
  static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + " ms";
    }
    if (ms % 1000 != 0) {
      return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
    long s = ms / 1000;
    if (s < 60) {
      return s + " s";
    }
    return s / 60 + " min" + (s % 60 == 0 ? "" : " " + s % 60 + " s");
  }

  /** A rate or count with three significant digits: {@code 412k}, {@code 1.23M}, {@code 950}. */
  static String count(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    double a = Math.abs(v);
    if (a >= 1e6) {
      return sig(v / 1e6) + "M";
    }
    if (a >= 1e3) {
      return sig(v / 1e3) + "k";
    }
    return sig(v);
  }

  /** An exact whole number with thousands separators: {@code 20,000}. */
  static String integer(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }

  /** Microseconds with three significant digits, switching to ms from 1000 µs. */
  static String micros(double us) {
    if (us >= 1000) {
      return sig(us / 1000) + " ms";
    }
    return sig(us) + " µs";
  }

  /** A ratio with two decimals. */
  static String ratio(double r) {
    return Double.isNaN(r) || Double.isInfinite(r) ? "n/a" : String.format(Locale.ROOT, "%.2f", r);
  }

  /**
   * A ratio compared with an aim: two decimals, or as many more (up to six) as it takes not to
   * print the aim itself, so "0.50, not met" against an aim of 0.50 reads 0.4997.
   */
  static String ratioAgainst(double r, double aim) {
    String two = ratio(r);
    if (!two.equals(ratio(aim)) || r == aim) {
      return two;
    }
    for (int d = 3; d <= 6; d++) {
      String f = "%." + d + "f";
      String s = String.format(Locale.ROOT, f, r);
      if (!s.equals(String.format(Locale.ROOT, f, aim))) {
        return s;
      }
    }
    return String.format(Locale.ROOT, "%.6f", r);
  }

  private static String sig(double v) {
    double a = Math.abs(v);
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  /** A Markdown table. Cells must not contain {@code |}. */
  static String table(List<String> header, List<List<String>> rows) {
    StringBuilder b = new StringBuilder();
    row(b, header);
    b.append('|');
    for (int i = 0; i < header.size(); i++) {
      b.append("---|");
    }
    b.append('\n');
    for (List<String> r : rows) {
      if (r.size() != header.size()) {
        throw new IllegalArgumentException("row has " + r.size() + " cells, header "
            + header.size() + ": " + r);
      }
      row(b, r);
    }
    return b.toString();
  }

  private static void row(StringBuilder b, List<String> cells) {
    b.append('|');
    for (String c : cells) {
      if (c.contains("|")) {
        throw new IllegalArgumentException("table cell contains '|': " + c);
      }
      b.append(' ').append(c).append(" |");
    }
    b.append('\n');
  }
}
