package io.queuekit.ini;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An INI file read the way Gitea reads {@code app.ini}, kept line for line so that it can be
 * written back unchanged: comments, blank lines, order, spacing, each line's terminator ({@code
 * \r\n} or {@code \n}), a missing final newline and a UTF-8 byte order mark. A file that is not
 * UTF-8 text (a byte sequence that is not UTF-8, a NUL byte, UTF-16) is refused whole ({@link
 * IniText#check}): no byte is read as a replacement character.
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
 * <p>Edits ({@link #edit}, and the single ones {@link #remove}, {@link #setValue}, {@link #addKey},
 * {@link #addSection}) return a new file; the lines they do not touch keep their exact bytes. New
 * lines end the way most lines of the file end, and a file without a final newline stays without
 * one.
 *
 * <p><b>Memory:</b> a file keeps its bytes once, the offset of each line and the line of each
 * header and entry; lines are decoded and entries read when asked for (a few sections are
 * cached). A 50 MB file thus fits in a small heap, and every operation is linear in the file's
 * size: batch many edits into one {@link #edit}, as each edit writes a new file.
 *
 * <p><b>Thread-safety:</b> immutable (its small cache is synchronized). <b>Ordering:</b> sections
 * in order of first appearance, entries in file order.
 */
public final class IniFile {
  // The public face of the file model; the work is done by package-private classes, one concept
  // each: IniLines (bytes and lines), IniParser (go-ini's rules), IniSectionCache, and for edits
  // IniEditPlan (what to change), IniInsertions (where added lines go), IniRewriter (the one pass
  // that writes the new file), IniNames and IniValues (what go-ini can read back).

  /** go-ini's name for the keys before the first section header. */
  public static final String DEFAULT_SECTION = "DEFAULT";

  private final String sourceName;
  private final IniLines lines;
  private final IniParser.Index index;
  private final IniSectionCache cache = new IniSectionCache();

  /**
   * Indexes {@code content}, which it keeps. Does not run {@link IniText#check}: for bytes checked
   * already ({@link #parse(byte[], String)}) or written from strings ({@link IniRewriter}).
   */
  IniFile(String sourceName, byte[] content) {
    this.sourceName = Objects.requireNonNull(sourceName, "sourceName");
    this.lines = new IniLines(content);
    this.index = IniParser.index(this);
  }

  /**
   * Reads {@code file}; its path as given is the name in messages.
   *
   * @throws IOException when the file cannot be read
   * @throws IniEncodingException when the file is not UTF-8 text ({@link IniText#check})
   * @throws IniParseException when a line is one go-ini rejects
   */
  public static IniFile parse(Path file) throws IOException {
    return parse(Files.readAllBytes(file), file.toString());
  }

  /**
   * Reads {@code bytes} (UTF-8) named {@code sourceName} in messages. The file keeps {@code
   * bytes}, which the caller must not change.
   *
   * @throws IniEncodingException naming file, line, column and byte when {@code bytes} are not
   *     UTF-8 text ({@link IniText#check}: a sequence that is not UTF-8, a NUL byte, UTF-16)
   * @throws IniParseException when a line is one go-ini rejects
   */
  public static IniFile parse(byte[] bytes, String sourceName) {
    IniText.check(bytes, Objects.requireNonNull(sourceName, "sourceName"));
    return new IniFile(sourceName, bytes);
  }

  /**
   * Reads {@code text} named {@code sourceName} in messages, with go-ini's rules as Gitea uses them
   * (see the class documentation).
   *
   * @throws IniEncodingException when {@code text} holds a NUL character
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

  /**
   * Every section, merged by name, in order of first appearance; the default section first. The
   * list reads each section's entries when its element is taken.
   */
  public List<IniSection> sections() {
    List<String> names = List.copyOf(index.sections.keySet());
    return new AbstractList<>() {
      @Override
      public IniSection get(int i) {
        return section(names.get(i)).orElseThrow();
      }

      @Override
      public int size() {
        return names.size();
      }
    };
  }

  /** The names of every section, in order of first appearance; the default section first. */
  public List<String> sectionNames() {
    return List.copyOf(index.sections.keySet());
  }

  /** The section {@code name}, compared exactly (go-ini's section names are case-sensitive). */
  public Optional<IniSection> section(String name) {
    IniParser.Lines at = index.sections.get(name);
    if (at == null) {
      return Optional.empty();
    }
    IniSection cached = cache.get(name);
    if (cached != null) {
      return Optional.of(cached);
    }
    List<IniEntry> entries = new ArrayList<>(at.entries.size());
    for (int i = 0; i < at.entries.size(); i++) {
      entries.add(IniParser.entryAt(this, name, at.entries.get(i), index.autoKeys));
    }
    IniSection s = new IniSection(name, at.headers.toList(), entries);
    cache.put(name, s);
    return Optional.of(s);
  }

  /** The entry go-ini uses for {@code key} in {@code section}: the last one written. */
  public Optional<IniEntry> entry(String section, String key) {
    return section(section).flatMap(s -> s.entry(key));
  }

  /** Every entry of the file, in file order (read from every section: for small files). */
  public List<IniEntry> entries() {
    List<IniEntry> all = new ArrayList<>();
    for (String name : index.sections.keySet()) {
      all.addAll(section(name).orElseThrow().entries());
    }
    all.sort(Comparator.comparingInt(IniEntry::line));
    return List.copyOf(all);
  }

  /** The number of physical lines. */
  public int lineCount() {
    return lines.count();
  }

  /** The text of 1-based line {@code number}, without its terminator. */
  public String line(int number) {
    return text(number - 1);
  }

  /**
   * The terminator of 1-based line {@code number}: {@code "\r\n"}, {@code "\n"}, or {@code ""}
   * for a last line without one.
   */
  public String terminator(int number) {
    return eol(number - 1);
  }

  /** The text of 0-based line {@code i}, for {@link IniParser} and edits. */
  String text(int i) {
    return lines.text(i);
  }

  /** The terminator of 0-based line {@code i}: {@code \r\n}, {@code \n} or none. */
  String eol(int i) {
    return lines.eol(i);
  }

  /** The bytes and where the lines are, for {@link IniRewriter}. */
  IniLines lines() {
    return lines;
  }

  /** Where the sections and entries are, for {@link IniInsertions}. */
  IniParser.Index index() {
    return index;
  }

  /** The file's bytes: identical to what was read, except where edited. */
  public byte[] toBytes() {
    return lines.bytes().clone();
  }

  /** Writes {@link #toBytes()} to {@code out} without copying them. */
  public void writeTo(OutputStream out) throws IOException {
    out.write(lines.bytes());
  }

  /** The file as text (UTF-8). */
  public String text() {
    return new String(lines.bytes(), StandardCharsets.UTF_8);
  }

  /** Whether the last line ends with a line terminator (true for an empty file). */
  public boolean endsWithNewline() {
    return lines.endsWithNewline();
  }

  // ---------------------------------------------------------------------------------------------
  // Edits

  /**
   * Edits to apply at once ({@link IniFile#edit}): every entry and line refers to the file the
   * edits are for, whatever the other edits do. Not thread-safe; used once.
   */
  public final class Edits {
    private final IniEditPlan plan = new IniEditPlan(IniFile.this);

    private Edits() {}

    /**
     * Removes {@code entry}'s lines; comments above it stay.
     *
     * @throws IllegalArgumentException if the entry was not read from this file, or is edited
     *     already
     */
    public Edits remove(IniEntry entry) {
      plan.remove(entry);
      return this;
    }

    /**
     * Sets {@code entry}'s value, quoted as go-ini needs it; the key, the blanks around the
     * delimiter and the inline comment are kept.
     *
     * @throws IllegalArgumentException as {@link IniFile#setValue}
     */
    public Edits setValue(IniEntry entry, String value) {
      plan.setValue(entry, value);
      return this;
    }

    /**
     * Adds {@code key = value} to {@code section}, as {@link IniFile#addKey}; keys added to one
     * section appear in the order added.
     *
     * @throws IllegalArgumentException as {@link IniFile#addKey}
     */
    public Edits addKey(String section, String key, String value, String inlineComment) {
      plan.addKey(section, key, value, inlineComment);
      return this;
    }

    /** Adds a {@code [section]} header at the end if there is none, as {@link #addSection}. */
    public Edits addSection(String section) {
      plan.addSection(section);
      return this;
    }

    /** The edited file. */
    public IniFile apply() {
      return IniRewriter.apply(plan).file();
    }

    /** The edited file, and which lines changed, for a diff. */
    public Edited applyWithChanges() {
      return IniRewriter.apply(plan);
    }
  }

  /**
   * One change: {@code oldCount} lines at {@code oldLine} became {@code newCount} lines at {@code
   * newLine} (1-based; a count of 0 is an insertion or a removal). A line whose terminator alone
   * changed (in a file without a final newline, the old last line or the new one) is a changed
   * line, as diff counts it.
   */
  public record Change(int oldLine, int oldCount, int newLine, int newCount) {}

  /** An edited file and its changes, in line order. */
  public record Edited(IniFile file, List<Change> changes) {}

  /** Edits to apply to this file at once, linear in its size: {@code file.edit().…​.apply()}. */
  public Edits edit() {
    return new Edits();
  }

  /**
   * A copy without {@code entry}'s lines. Comments above it stay where they are.
   *
   * @throws IllegalArgumentException if the entry was not read from this file
   */
  public IniFile remove(IniEntry entry) {
    return edit().remove(entry).apply();
  }

  /**
   * A copy where {@code entry}'s value is {@code value}, quoted as go-ini needs it. The key, the
   * blanks around the delimiter and the inline comment are kept.
   *
   * @throws IllegalArgumentException if the entry was not read from this file, or go-ini cannot
   *     represent the value (it holds both a backtick or line break and {@code """})
   */
  public IniFile setValue(IniEntry entry, String value) {
    return edit().setValue(entry, value).apply();
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
    return edit().addKey(section, key, value, inlineComment).apply();
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
    IniNames.checkSection(section);
    return index.sections.containsKey(section) ? this : edit().addSection(section).apply();
  }

  @Override
  public String toString() {
    return sourceName + " (" + lineCount() + " lines, " + index.sections.size() + " sections)";
  }
}
