package io.queuekit.ini;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An INI file read the way Gitea reads {@code app.ini}, kept line for line so that it can be
 * written back unchanged: comments, blank lines, order, spacing, each line's terminator ({@code
 * \r\n} or {@code \n}), a missing final newline, a UTF-8 byte order mark and even bytes that are
 * not UTF-8.
 *
 * <p>The rules are go-ini's ({@code gopkg.in/ini.v1}) with the options Gitea passes:
 *
 * <ul>
 *   <li>Blanks at the start of a line are skipped; a blank line is ignored; a line whose first
 *       other character is {@code #} or {@code ;} is a comment.
 *   <li>{@code [name]}: the name runs to the last {@code ]} of the line and is kept exactly (case
 *       and blanks). Keys before the first header are in {@value #DEFAULT_SECTION}.
 *   <li>{@code key = value} or {@code key: value}: the key ends at the first {@code =} or {@code
 *       :}, is trimmed and case-sensitive. The value is trimmed; in backticks or {@code """} it is
 *       taken literally and may span lines; otherwise it ends at the first {@code #} or {@code ;}
 *       (an inline comment, blank before it or not) and one pair of surrounding {@code "} or
 *       {@code '} is removed. A trailing backslash is kept (Gitea turns continuation lines off).
 *   <li>A repeated key: the last value wins. A repeated section: its keys merge.
 *   <li>Errors ({@link IniParseException}): a header without {@code ]}, {@code []}, a line with
 *       neither {@code =} nor {@code :}, an empty key, a quote not closed before the end.
 * </ul>
 *
 * <p>Edits ({@link #remove}, {@link #setValue}, {@link #addKey}, {@link #addSection}) return a new
 * file; the lines they do not touch keep their exact bytes. New lines end the way most lines of
 * the file end, and a file without a final newline stays without one.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Ordering:</b> sections in order of first appearance,
 * entries in file order.
 */
public final class IniFile {
  /** go-ini's name for the keys before the first section header. */
  public static final String DEFAULT_SECTION = "DEFAULT";

  private final String sourceName;
  private final List<IniLine> lines;
  private final List<IniEntry> entries;
  private final Map<String, IniSection> sections;

  private IniFile(String sourceName, List<IniLine> lines) {
    this.sourceName = Objects.requireNonNull(sourceName, "sourceName");
    this.lines = Collections.unmodifiableList(new ArrayList<>(lines));
    IniParser.Result parsed = IniParser.parse(this, this.lines);
    this.entries = Collections.unmodifiableList(parsed.entries);
    Map<String, List<IniEntry>> bySection = new LinkedHashMap<>();
    for (String name : parsed.headers.keySet()) {
      bySection.put(name, new ArrayList<>());
    }
    for (IniEntry e : parsed.entries) {
      bySection.get(e.section()).add(e);
    }
    Map<String, IniSection> s = new LinkedHashMap<>();
    for (Map.Entry<String, List<Integer>> h : parsed.headers.entrySet()) {
      s.put(h.getKey(), new IniSection(h.getKey(), h.getValue(), bySection.get(h.getKey())));
    }
    this.sections = Collections.unmodifiableMap(s);
  }

  /**
   * Reads {@code file}; its path as given is the name in messages.
   *
   * @throws IOException when the file cannot be read
   * @throws IniParseException when a line is one go-ini rejects
   */
  public static IniFile parse(Path file) throws IOException {
    return parse(Files.readAllBytes(file), file.toString());
  }

  /**
   * Reads {@code bytes} (UTF-8) named {@code sourceName} in messages.
   *
   * @throws IniParseException when a line is one go-ini rejects
   */
  public static IniFile parse(byte[] bytes, String sourceName) {
    return new IniFile(sourceName, IniLine.split(bytes));
  }

  /**
   * Reads {@code text} named {@code sourceName} in messages, with go-ini's rules as Gitea uses them
   * (see the class documentation).
   *
   * @throws IniParseException naming file, line and text when a line is one go-ini rejects: a
   *     section without {@code ]}, {@code []}, a line with neither {@code =} nor {@code :}, an
   *     empty key, an unclosed quote
   */
  public static IniFile parse(String text, String sourceName) {
    return parse(text.getBytes(StandardCharsets.UTF_8), sourceName);
  }

  /** The name messages use for this file (its path when read from a file). */
  public String sourceName() {
    return sourceName;
  }

  /** Every section, merged by name, in order of first appearance; the default section first. */
  public List<IniSection> sections() {
    return List.copyOf(sections.values());
  }

  /** The section {@code name}, compared exactly (go-ini's section names are case-sensitive). */
  public Optional<IniSection> section(String name) {
    return Optional.ofNullable(sections.get(name));
  }

  /** The entry go-ini uses for {@code key} in {@code section}: the last one written. */
  public Optional<IniEntry> entry(String section, String key) {
    IniSection s = sections.get(section);
    return s == null ? Optional.empty() : s.entry(key);
  }

  /** Every entry of the file, in file order. */
  public List<IniEntry> entries() {
    return entries;
  }

  /** The number of physical lines. */
  public int lineCount() {
    return lines.size();
  }

  /** The text of 1-based line {@code number}, without its terminator. */
  public String line(int number) {
    return lines.get(number - 1).text;
  }

  /** The file's bytes: identical to what was read, except where edited. */
  public byte[] toBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (IniLine l : lines) {
      out.writeBytes(l.raw);
      out.writeBytes(l.eol.getBytes(StandardCharsets.US_ASCII));
    }
    return out.toByteArray();
  }

  /** The file as text (UTF-8; bytes that are not UTF-8 shown as U+FFFD). */
  public String text() {
    return new String(toBytes(), StandardCharsets.UTF_8);
  }

  /** Whether the last line ends with a line terminator (true for an empty file). */
  public boolean endsWithNewline() {
    return lines.isEmpty() || !lines.get(lines.size() - 1).eol.isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // Edits

  /**
   * A copy without {@code entry}'s lines. Comments above it stay where they are.
   *
   * @throws IllegalArgumentException if the entry was not read from this file
   */
  public IniFile remove(IniEntry entry) {
    checkOwner(entry);
    List<IniLine> copy = new ArrayList<>(lines);
    boolean lastWithoutNewline = entry.lastLine() == lines.size() && !endsWithNewline();
    copy.subList(entry.line() - 1, entry.lastLine()).clear();
    if (lastWithoutNewline && !copy.isEmpty()) {
      int last = copy.size() - 1;
      copy.set(last, copy.get(last).withEol(IniLine.NONE));
    }
    return new IniFile(sourceName, copy);
  }

  /**
   * A copy where {@code entry}'s value is {@code value}, quoted as go-ini needs it. The key, the
   * blanks around the delimiter and the inline comment are kept.
   *
   * @throws IllegalArgumentException if the entry was not read from this file, or go-ini cannot
   *     represent the value (it holds both a backtick or line break and {@code """})
   */
  public IniFile setValue(IniEntry entry, String value) {
    checkOwner(entry);
    String first = lines.get(entry.line() - 1).text;
    String last = lines.get(entry.lastLine() - 1).text;
    String text = first.substring(0, entry.valueStart) + IniValues.quote(value)
        + last.substring(Math.min(entry.valueEnd, last.length()));
    List<IniLine> copy = new ArrayList<>(lines);
    List<IniLine> replacement = IniLine.splitText(text, lines.get(entry.lastLine() - 1).eol);
    copy.subList(entry.line() - 1, entry.lastLine()).clear();
    copy.addAll(entry.line() - 1, replacement);
    IniFile edited = new IniFile(sourceName, copy);
    edited.verify(entry.section(), entry.key(), value, entry.line());
    return edited;
  }

  /**
   * A copy with {@code key = value} added to {@code section}: after the section's last entry (or
   * its header), or in a new section at the end of the file. The line copies the indentation and
   * the spacing around {@code =} of the section's last entry (else of the file's last entry, else
   * {@code KEY = value}). An existing entry for the key is left alone: the new one, being later,
   * wins, so callers check {@link #entry} first.
   *
   * @param inlineComment text written after the value, e.g. {@code "; moved from [indexer]"}, or
   *     {@code ""}; it must start with {@code ;} or {@code #}
   * @throws IllegalArgumentException for a key or section go-ini could not read back, or a value
   *     go-ini cannot represent
   */
  public IniFile addKey(String section, String key, String value, String inlineComment) {
    checkName("key", key, "=:");
    if (key.startsWith("[") || key.startsWith("#") || key.startsWith(";")
        || key.startsWith("\"") || key.startsWith("`")) {
      throw new IllegalArgumentException("key " + key + " cannot start with " + key.charAt(0));
    }
    if (!inlineComment.isEmpty() && !inlineComment.startsWith(";")
        && !inlineComment.startsWith("#") || inlineComment.contains("\n")) {
      throw new IllegalArgumentException("an inline comment starts with ; or #: " + inlineComment);
    }
    IniFile base = addSection(section);
    return base.insertKey(section, key, value, inlineComment);
  }

  /** {@link #addKey(String, String, String, String)} without an inline comment. */
  public IniFile addKey(String section, String key, String value) {
    return addKey(section, key, value, "");
  }

  /**
   * A copy with a {@code [section]} header appended at the end (after a blank line), or this file
   * when the section exists already.
   *
   * @throws IllegalArgumentException for a name go-ini could not read back
   */
  public IniFile addSection(String section) {
    checkName("section", section, "");
    if (sections.containsKey(section)) {
      return this;
    }
    List<String> add = new ArrayList<>();
    if (!lines.isEmpty() && !IniParser.trimSpace(lines.get(lines.size() - 1).text).isEmpty()) {
      add.add("");
    }
    add.add("[" + section + "]");
    return new IniFile(sourceName, insert(lines.size(), add));
  }

  private IniFile insertKey(String section, String key, String value, String comment) {
    IniSection s = sections.get(section);
    IniEntry style = s.entries().isEmpty()
        ? (entries.isEmpty() ? null : entries.get(entries.size() - 1))
        : s.entries().get(s.entries().size() - 1);
    String indent = style == null ? "" : style.indent;
    String delimiter = style == null || style.value().isEmpty() || style.delimiter.isEmpty()
        ? " = " : style.delimiter;
    String text = indent + key + delimiter + IniValues.quote(value)
        + (comment.isEmpty() ? "" : " " + comment);
    if (value.isEmpty() && comment.isEmpty()) {
      text = text.stripTrailing(); // "CONN_STR =", not "CONN_STR = " with a trailing blank
    }
    int after = 0;
    for (int h : s.headerLines()) {
      after = Math.max(after, h);
    }
    for (IniEntry e : s.entries()) {
      after = Math.max(after, e.lastLine());
    }
    if (after == 0) {
      // The default section without entries or header: before the first header.
      after = sections.values().stream().flatMap(x -> x.headerLines().stream())
          .findFirst().map(h -> h - 1).orElse(lines.size());
    }
    IniFile edited = new IniFile(sourceName, insert(after, List.of(text)));
    edited.verify(section, key, value, -1);
    return edited;
  }

  /** The lines with {@code texts} inserted after the first {@code after} lines. */
  private List<IniLine> insert(int after, List<String> texts) {
    String eol = dominantEol();
    List<IniLine> copy = new ArrayList<>(lines);
    List<IniLine> added = new ArrayList<>();
    for (String t : texts) {
      added.addAll(IniLine.splitText(t, eol));
    }
    if (after == lines.size() && !endsWithNewline()) {
      // Appending to a file without a final newline: the old last line gets one, the new doesn't.
      copy.set(after - 1, copy.get(after - 1).withEol(eol));
      int last = added.size() - 1;
      added.set(last, added.get(last).withEol(IniLine.NONE));
    }
    copy.addAll(after, added);
    return copy;
  }

  private String dominantEol() {
    int crlf = 0;
    int lf = 0;
    for (IniLine l : lines) {
      if (l.eol.equals(IniLine.CRLF)) {
        crlf++;
      } else if (l.eol.equals(IniLine.LF)) {
        lf++;
      }
    }
    return crlf > lf ? IniLine.CRLF : IniLine.LF;
  }

  /** Checks that an edit reads back as intended (the entry on {@code line}, else the last one). */
  private void verify(String section, String key, String value, int line) {
    IniEntry e = null;
    for (IniEntry candidate : section(section).map(IniSection::entries).orElse(List.of())) {
      if (candidate.key().equals(key) && (line <= 0 || candidate.line() == line)) {
        e = candidate;
      }
    }
    if (e == null) {
      throw new IllegalStateException("edit lost [" + section + "] " + key + " in " + sourceName);
    }
    if (!e.value().equals(value)) {
      throw new IllegalStateException("edit of [" + section + "] " + key + " in " + sourceName
          + " reads back as " + e.value() + " on line " + e.line());
    }
  }

  private void checkOwner(IniEntry entry) {
    if (entry.owner != this) {
      throw new IllegalArgumentException(entry + " was not read from this version of the file");
    }
  }

  private static void checkName(String what, String name, String forbidden) {
    if (name.isEmpty() || !IniParser.trimSpace(name).equals(name) || name.contains("\n")
        || name.contains("\r") || IniParser.leadingSpace(name, 0) > 0) {
      throw new IllegalArgumentException("invalid " + what + " name: '" + name + "'");
    }
    for (char c : forbidden.toCharArray()) {
      if (name.indexOf(c) >= 0) {
        throw new IllegalArgumentException(what + " " + name + " cannot contain " + c);
      }
    }
  }

  @Override
  public String toString() {
    return sourceName + " (" + lines.size() + " lines, " + sections.size() + " sections)";
  }
}
