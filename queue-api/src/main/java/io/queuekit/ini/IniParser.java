package io.queuekit.ini;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads lines the way go-ini ({@code gopkg.in/ini.v1}) reads them with the options Gitea passes
 * ({@code IgnoreContinuation: true}, everything else default):
 *
 * <ul>
 *   <li>Blanks at the start of a line are skipped (Go's {@code unicode.IsSpace}); a blank line is
 *       ignored; a line whose first other character is {@code #} or {@code ;} is a comment.
 *   <li>{@code [name]}: the name runs to the <em>last</em> {@code ]} of the line and is kept exactly
 *       (case and inner blanks); no {@code ]} is an error ("unclosed section"), {@code []} too.
 *       {@code [DEFAULT]} is the section before the first header.
 *   <li>Otherwise the line is a key: it ends at the first {@code =} or {@code :}, and is trimmed;
 *       no delimiter is an error, as is an empty key. A key may be quoted with {@code "}, {@code
 *       """} or a backtick. A key {@code -} is numbered {@code #1}, {@code #2}, … per section.
 *   <li>The value is trimmed. If it starts with a backtick, or with {@code """} (and is longer
 *       than that), it runs to the last such quote on the line, or over the following lines up to
 *       the first line holding that quote (line breaks kept); the rest of the closing line is
 *       ignored; no closing quote before the end of the file is an error. Otherwise the value ends
 *       at the first {@code #} or {@code ;} (the rest is a comment), and one pair of surrounding
 *       {@code "} or {@code '} is removed. A trailing backslash is kept (no continuation lines).
 *   <li>A key repeated in a section: the last value wins. A section repeated: its keys merge.
 * </ul>
 *
 * <p>Hand-written rather than taken from ini4j or Apache Commons Configuration because the
 * migrator needs a lossless model (every byte of untouched lines kept) and go-ini's exact rules,
 * which those libraries do not follow (they differ on inline comments, quoting and duplicates).
 */
final class IniParser {
  /**
   * Where the sections and entries are: per section (in order of first appearance) its header
   * lines and the first line of each entry, all 1-based. Entries themselves are read again on
   * demand ({@link #entryAt}), so that a large file keeps only these numbers.
   */
  static final class Index {
    final Map<String, Lines> sections = new LinkedHashMap<>();
    /** Keys go-ini numbers ({@code -} becomes {@code #1}, {@code #2}, … per header). */
    final Map<Integer, String> autoKeys = new HashMap<>();
    int lastEntryLine;
  }

  /** A growable list of line numbers. */
  static final class Lines {
    final IntList headers = new IntList();
    final IntList entries = new IntList();
  }

  /** A growable {@code int} list: a boxed list of every entry's line would not be lean. */
  static final class IntList {
    private int[] values = new int[4];
    private int size;

    void add(int v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    int get(int i) {
      return values[i];
    }

    int size() {
      return size;
    }

    List<Integer> toList() {
      List<Integer> out = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        out.add(values[i]);
      }
      return out;
    }
  }

  private final IniFile owner;
  private final int lineCount;
  private Index index; // only when indexing the whole file
  private String section = IniFile.DEFAULT_SECTION;
  private IniEntry last;

  private IniParser(IniFile owner) {
    this.owner = owner;
    this.lineCount = owner.lineCount();
  }

  /** Reads every line, checking it as go-ini does, and records where things are. */
  static Index index(IniFile owner) {
    IniParser p = new IniParser(owner);
    p.index = new Index();
    p.run();
    return p.index;
  }

  /** The entry starting on 1-based {@code line}, which the index recorded in {@code section}. */
  static IniEntry entryAt(IniFile owner, String section, int line, Map<Integer, String> autoKeys) {
    IniParser p = new IniParser(owner);
    p.section = section;
    int i = line - 1;
    String full = owner.text(i) + owner.eol(i);
    int indent = leadingSpace(full, 0);
    String l = full.substring(indent);
    KeyName kn = p.readKeyName(l, i);
    String key = autoKeys.getOrDefault(line, kn.name);
    p.readValue(key, i, indent, l, kn);
    return p.last;
  }

  private void run() {
    index.sections.put(section, new Lines());
    int autoKey = 1;
    int i = 0;
    while (i < lineCount) {
      String full = owner.text(i) + owner.eol(i);
      int indent = leadingSpace(full, 0);
      String line = full.substring(indent);
      if (line.isEmpty() || line.charAt(0) == '#' || line.charAt(0) == ';') {
        i++;
        continue;
      }
      if (line.charAt(0) == '[') {
        int close = line.lastIndexOf(']');
        if (close < 0) {
          throw error(i, "unclosed section");
        }
        String name = line.substring(1, close);
        if (name.isEmpty()) {
          throw error(i, "empty section name");
        }
        section = name;
        index.sections.computeIfAbsent(section, k -> new Lines()).headers.add(i + 1);
        autoKey = 1;
        i++;
        continue;
      }
      KeyName kn = readKeyName(line, i);
      String key = kn.name;
      if (key.equals("-")) {
        key = "#" + autoKey++;
        index.autoKeys.put(i + 1, key);
      }
      index.sections.get(section).entries.add(i + 1);
      index.lastEntryLine = i + 1;
      i = readValue(key, i, indent, line, kn) + 1;
    }
  }

  private static final class KeyName {
    final String name;
    final int keyEnd; // offset in the trimmed line just after the key (and its closing quote)
    final int afterDelimiter; // offset in the trimmed line just after the delimiter

    KeyName(String name, int keyEnd, int afterDelimiter) {
      this.name = name;
      this.keyEnd = keyEnd;
      this.afterDelimiter = afterDelimiter;
    }
  }

  // go-ini's readKeyName with delimiters "=:"; `line` includes the terminator, as in go-ini.
  private KeyName readKeyName(String line, int index) {
    String quote = "";
    if (line.charAt(0) == '"') {
      quote = line.length() > 6 && line.startsWith("\"\"\"") ? "\"\"\"" : "\"";
    } else if (line.charAt(0) == '`') {
      quote = "`";
    }
    String name;
    int keyEnd;
    int delimiter;
    if (!quote.isEmpty()) {
      int close = line.indexOf(quote, quote.length());
      if (close < 0) {
        throw error(index, "missing closing key quote");
      }
      int d = indexOfAny(line, "=:", close + quote.length());
      if (d < 0) {
        throw error(index, "key-value delimiter not found");
      }
      name = trimSpace(line.substring(quote.length(), close));
      keyEnd = close + quote.length();
      delimiter = d;
    } else {
      delimiter = indexOfAny(line, "=:", 0);
      if (delimiter < 0) {
        throw error(index, "key-value delimiter not found");
      }
      String raw = line.substring(0, delimiter);
      name = trimSpace(raw);
      keyEnd = name.isEmpty() ? 0 : raw.indexOf(name) + name.length();
    }
    if (name.isEmpty()) {
      throw error(index, "empty key name");
    }
    return new KeyName(name, keyEnd, delimiter + 1);
  }

  /** Reads the value of the key on line {@code index}; returns the index of its last line. */
  private int readValue(String key, int index, int indent, String line, KeyName kn) {
    String text = owner.text(index);
    String in = line.substring(kn.afterDelimiter);
    int lead = leadingSpace(in, 0);
    String v = in.substring(lead);
    int start = Math.min(indent + kn.afterDelimiter + lead, text.length());
    String indentText = text.substring(0, Math.min(indent, text.length()));
    String delimiterText = text.substring(Math.min(indent + kn.keyEnd, start), start);

    String quote = "";
    if (v.length() > 3 && v.startsWith("\"\"\"")) {
      quote = "\"\"\"";
    } else if (v.startsWith("`")) {
      quote = "`";
    }
    if (!quote.isEmpty()) {
      String rest = v.substring(quote.length());
      int pos = rest.lastIndexOf(quote);
      if (pos >= 0) {
        int end = start + quote.length() + pos + quote.length();
        add(key, rest.substring(0, pos), index, index, start, end, indentText,
            delimiterText, trimSpace(text.substring(Math.min(end, text.length()))));
        return index;
      }
      StringBuilder value = new StringBuilder(rest);
      for (int j = index + 1; j < lineCount; j++) {
        String next = owner.text(j) + owner.eol(j);
        int p = next.lastIndexOf(quote);
        if (p >= 0) {
          value.append(next, 0, p);
          int end = p + quote.length();
          String lastText = owner.text(j);
          add(key, value.toString(), index, j, start, end, indentText, delimiterText,
              trimSpace(lastText.substring(Math.min(end, lastText.length()))));
          return j;
        }
        value.append(next);
      }
      throw error(index, "missing closing " + quote + " quote: the value runs to the end of the file");
    }

    String value = trimSpace(v);
    String comment = "";
    int c = indexOfAny(value, "#;", 0);
    if (c >= 0) {
      comment = value.substring(c);
      value = trimSpace(value.substring(0, c));
    }
    int end = start + value.length();
    if (hasSurroundedQuote(value, '\'') || hasSurroundedQuote(value, '"')) {
      value = value.substring(1, value.length() - 1);
    }
    add(key, value, index, index, start, end, indentText, delimiterText, comment);
    return index;
  }

  private void add(String key, String value, int first, int last, int start, int end,
      String indent, String delimiter, String comment) {
    this.last = new IniEntry(owner, section, key, value, first + 1, last + 1, start, end,
        indent, delimiter, comment);
  }

  // go-ini: both ends are the quote and it occurs nowhere else.
  private static boolean hasSurroundedQuote(String s, char quote) {
    return s.length() >= 2 && s.charAt(0) == quote && s.charAt(s.length() - 1) == quote
        && s.indexOf(quote, 1) == s.length() - 1;
  }

  private IniParseException error(int index, String problem) {
    String text = index < lineCount ? owner.text(index) : "";
    return new IniParseException(owner.sourceName(), index + 1, text, problem, section);
  }

  private static int indexOfAny(String s, String chars, int from) {
    for (int i = from; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  /** Go's {@code unicode.IsSpace}: Latin-1 blanks plus Unicode's White_Space. */
  static boolean isSpace(char c) {
    switch (c) {
      case '\t': case '\n': case 0x0B: case '\f': case '\r': case ' ': case 0x85: case 0xA0:
        return true;
      default:
        return c > 0xFF && Character.isSpaceChar(c);
    }
  }

  static int leadingSpace(String s, int from) {
    int i = from;
    while (i < s.length() && isSpace(s.charAt(i))) {
      i++;
    }
    return i - from;
  }

  /** Go's {@code strings.TrimSpace}. */
  static String trimSpace(String s) {
    int start = leadingSpace(s, 0);
    int end = s.length();
    while (end > start && isSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }
}
