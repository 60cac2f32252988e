package io.queuekit.ini;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

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
  /** go-ini's name for the keys before the first section header. */
  public static final String DEFAULT_SECTION = "DEFAULT";

  static final String LF = "\n";
  static final String CRLF = "\r\n";
  static final String NONE = "";
  private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
  /** Sections read last, kept: the checks ask for the same few sections again and again. */
  private static final int CACHED_SECTIONS = 64;

  private final String sourceName;
  private final byte[] content;
  /** Offset of each line's first byte; one more element, {@code content.length}, at the end. */
  private final int[] starts;
  private final int bom;
  private final IniParser.Index index;
  private final Map<String, IniSection> cache = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, IniSection> eldest) {
      return size() > CACHED_SECTIONS;
    }
  };

  private IniFile(String sourceName, byte[] content) {
    this.sourceName = Objects.requireNonNull(sourceName, "sourceName");
    this.content = content;
    this.starts = lineStarts(content);
    this.bom = content.length >= 3 && content[0] == UTF8_BOM[0] && content[1] == UTF8_BOM[1]
        && content[2] == UTF8_BOM[2] ? 3 : 0;
    this.index = IniParser.index(this);
  }

  /** Splits at each {@code '\n'} as go-ini's reader does; the last line may lack one. */
  private static int[] lineStarts(byte[] bytes) {
    int n = 0;
    for (byte b : bytes) {
      if (b == '\n') {
        n++;
      }
    }
    boolean tail = bytes.length > 0 && bytes[bytes.length - 1] != '\n';
    int lines = n + (tail ? 1 : 0);
    int[] out = new int[lines + 1];
    int k = 1;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n' && k <= lines) {
        out[k++] = i + 1;
      }
    }
    out[lines] = bytes.length;
    return out;
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
    synchronized (cache) {
      IniSection cached = cache.get(name);
      if (cached != null) {
        return Optional.of(cached);
      }
    }
    List<IniEntry> entries = new ArrayList<>(at.entries.size());
    for (int i = 0; i < at.entries.size(); i++) {
      entries.add(IniParser.entryAt(this, name, at.entries.get(i), index.autoKeys));
    }
    IniSection s = new IniSection(name, at.headers.toList(), entries);
    synchronized (cache) {
      cache.put(name, s);
    }
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
    return starts.length - 1;
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

  /** The text of 0-based line {@code i}: its bytes as UTF-8 ({@link IniText#check}ed). */
  String text(int i) {
    int from = i == 0 ? bom : starts[i];
    return new String(content, from, end(i) - from, StandardCharsets.UTF_8);
  }

  /** The terminator of 0-based line {@code i}: {@code \r\n}, {@code \n} or none. */
  String eol(int i) {
    int next = starts[i + 1];
    if (next == starts[i] || content[next - 1] != '\n') {
      return NONE;
    }
    return next - 2 >= starts[i] && content[next - 2] == '\r' ? CRLF : LF;
  }

  /** Where 0-based line {@code i}'s text ends (its terminator starts). */
  private int end(int i) {
    return starts[i + 1] - eol(i).length();
  }

  /** The file's bytes: identical to what was read, except where edited. */
  public byte[] toBytes() {
    return content.clone();
  }

  /** Writes {@link #toBytes()} to {@code out} without copying them. */
  public void writeTo(OutputStream out) throws IOException {
    out.write(content);
  }

  /** The file as text (UTF-8). */
  public String text() {
    return new String(content, StandardCharsets.UTF_8);
  }

  /** Whether the last line ends with a line terminator (true for an empty file). */
  public boolean endsWithNewline() {
    return content.length == 0 || content[content.length - 1] == '\n';
  }

  // ---------------------------------------------------------------------------------------------
  // Edits

  /**
   * Edits to apply at once ({@link IniFile#edit}): every entry and line refers to the file the
   * edits are for, whatever the other edits do. Not thread-safe; used once.
   */
  public final class Edits {
    private final TreeMap<Integer, Op> ops = new TreeMap<>();
    private final Map<String, List<String[]>> added = new LinkedHashMap<>();

    private Edits() {}

    /**
     * Removes {@code entry}'s lines; comments above it stay.
     *
     * @throws IllegalArgumentException if the entry was not read from this file, or is edited
     *     already
     */
    public Edits remove(IniEntry entry) {
      checkOwner(entry);
      put(entry, new Op(entry, null, null));
      return this;
    }

    /**
     * Sets {@code entry}'s value, quoted as go-ini needs it; the key, the blanks around the
     * delimiter and the inline comment are kept.
     *
     * @throws IllegalArgumentException as {@link IniFile#setValue}
     */
    public Edits setValue(IniEntry entry, String value) {
      checkOwner(entry);
      String first = text(entry.line() - 1);
      String last = text(entry.lastLine() - 1);
      String t = first.substring(0, entry.valueStart) + IniValues.quote(value)
          + last.substring(Math.min(entry.valueEnd, last.length()));
      put(entry, new Op(entry, t, value));
      return this;
    }

    /**
     * Adds {@code key = value} to {@code section}, as {@link IniFile#addKey}; keys added to one
     * section appear in the order added.
     *
     * @throws IllegalArgumentException as {@link IniFile#addKey}
     */
    public Edits addKey(String section, String key, String value, String inlineComment) {
      checkKey(key, inlineComment);
      checkName("section", section, "");
      IniValues.quote(value); // fails now for a value go-ini cannot represent
      added.computeIfAbsent(section, k -> new ArrayList<>())
          .add(new String[] {key, value, inlineComment});
      return this;
    }

    /** Adds a {@code [section]} header at the end if there is none, as {@link #addSection}. */
    public Edits addSection(String section) {
      checkName("section", section, "");
      added.computeIfAbsent(section, k -> new ArrayList<>());
      return this;
    }

    private void put(IniEntry entry, Op op) {
      if (ops.putIfAbsent(entry.line(), op) != null) {
        throw new IllegalArgumentException(entry + " is edited twice");
      }
    }

    /** The edited file. */
    public IniFile apply() {
      return IniFile.this.apply(this).file;
    }

    /** The edited file, and which lines changed, for a diff. */
    public Edited applyWithChanges() {
      return IniFile.this.apply(this);
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

  /** A replacement ({@code text} non-null, reading back as {@code value}) or a removal. */
  private record Op(IniEntry entry, String text, String value) {}

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
    checkName("section", section, "");
    return index.sections.containsKey(section) ? this : edit().addSection(section).apply();
  }

  private static void checkKey(String key, String inlineComment) {
    checkName("key", key, "=:");
    if (key.startsWith("[") || key.startsWith("#") || key.startsWith(";")
        || key.startsWith("\"") || key.startsWith("`")) {
      throw new IllegalArgumentException("key " + key + " cannot start with " + key.charAt(0));
    }
    if (!inlineComment.isEmpty() && !inlineComment.startsWith(";")
        && !inlineComment.startsWith("#") || inlineComment.contains("\n")) {
      throw new IllegalArgumentException("an inline comment starts with ; or #: " + inlineComment);
    }
  }

  /** Writes the edited file in one pass over this one. */
  private Edited apply(Edits edits) {
    String eol = dominantEol();
    int n = lineCount();
    // Lines to insert after k original lines: keys added to existing sections, new sections.
    TreeMap<Integer, List<String>> inserts = new TreeMap<>();
    List<String> appended = new ArrayList<>();
    List<String[]> added = new ArrayList<>(); // section, key, value: checked in the result
    for (Map.Entry<String, List<String[]>> a : edits.added.entrySet()) {
      String section = a.getKey();
      IniEntry style = styleFor(section);
      List<String> texts = new ArrayList<>();
      for (String[] kv : a.getValue()) {
        texts.add(keyLine(style, kv[0], kv[1], kv[2]));
        added.add(new String[] {section, kv[0], kv[1]});
      }
      if (index.sections.containsKey(section)) {
        if (texts.isEmpty()) {
          continue; // addSection of a section that exists: nothing to write
        }
        inserts.computeIfAbsent(insertionPoint(section), k -> new ArrayList<>()).addAll(texts);
      } else {
        boolean blankBefore = appended.isEmpty()
            ? n > 0 && !IniParser.trimSpace(text(n - 1)).isEmpty() : true;
        if (blankBefore) {
          appended.add("");
        }
        appended.add("[" + section + "]");
        appended.addAll(texts);
      }
    }
    if (!appended.isEmpty()) {
      inserts.computeIfAbsent(n, k -> new ArrayList<>()).addAll(appended);
    }
    // Events in line order: an edit of the entry on line L sorts as 2L, an insertion after k
    // lines as 2k + 1, so that lines added after an edited entry follow its replacement.
    TreeMap<Integer, Object> events = new TreeMap<>();
    edits.ops.forEach((line, op) -> events.put(line * 2, op));
    inserts.forEach((after, texts) -> events.put(after * 2 + 1, texts));

    boolean lastRemoved = removesLastLine(edits.ops);
    Buffer out = new Buffer(outputSize(edits.ops, inserts, eol, lastRemoved));
    List<Change> changes = new ArrayList<>();
    List<Object[]> replaced = new ArrayList<>(); // new line, op: checked in the result
    int written = 0; // lines written so far
    int copied = 0; // original lines written or skipped so far
    for (Map.Entry<Integer, Object> ev : events.entrySet()) {
      if (ev.getValue() instanceof Op op) {
        int first = op.entry().line() - 1;
        int last = op.entry().lastLine() - 1;
        if (first < copied) {
          throw new IllegalArgumentException(op.entry() + " overlaps another edit");
        }
        out.write(content, starts[copied], starts[first] - starts[copied]);
        written += first - copied;
        int count = 0;
        if (op.text() != null) {
          for (String[] l : splitText(op.text(), eol(last))) {
            writeLine(out, l[0], l[1]);
            count++;
          }
          replaced.add(new Object[] {written + 1, op});
        }
        changes.add(new Change(first + 1, last - first + 1, written + 1, count));
        written += count;
        copied = last + 1;
      } else {
        @SuppressWarnings("unchecked")
        List<String> texts = (List<String>) ev.getValue();
        int after = ev.getKey() / 2;
        out.write(content, starts[copied], starts[after] - starts[copied]);
        written += after - copied;
        copied = after;
        if (after == n && !endsWithNewline() && !lastRemoved) {
          // the old last line (copied or replaced) gets a terminator; a removed one has none to
          // get, and writing it anyway would leave a blank line before the added ones
          out.writeBytes(eol.getBytes(StandardCharsets.US_ASCII));
        }
        changes.add(new Change(after + 1, 0, written + 1, texts.size()));
        for (String t : texts) {
          writeLine(out, t, eol);
          written++;
        }
      }
    }
    out.write(content, starts[copied], content.length - starts[copied]);
    byte[] bytes = out.size() == out.buffer().length ? out.buffer() : out.toByteArray();
    if (!endsWithNewline()) {
      // A file without a final newline stays without one, whatever was removed or added last.
      int cut = bytes.length > 0 && bytes[bytes.length - 1] == '\n'
          ? (bytes.length > 1 && bytes[bytes.length - 2] == '\r' ? 2 : 1) : 0;
      bytes = Arrays.copyOf(bytes, bytes.length - cut);
    }
    IniFile edited = new IniFile(sourceName, bytes);
    if (!endsWithNewline()) {
      coverLastLines(changes, n, edited.lineCount());
    }
    for (Object[] r : replaced) {
      Op op = (Op) r[1];
      edited.verify(op.entry().section(), op.entry().key(), op.value(), (Integer) r[0]);
    }
    for (String[] a : added) {
      edited.verify(a[0], a[1], a[2], -1);
    }
    return new Edited(edited, List.copyOf(changes));
  }

  /** Whether {@code ops} remove the file's last line (with the entry that ends on it). */
  private boolean removesLastLine(TreeMap<Integer, Op> ops) {
    Map.Entry<Integer, Op> last = ops.lastEntry(); // entries do not overlap: it would be the last
    return last != null && last.getValue().text() == null
        && last.getValue().entry().lastLine() == lineCount();
  }

  /**
   * For a file without a final newline: makes the last change cover the last line of both
   * versions, unless that is one unchanged line. A last line without a terminator differs from
   * the same text with one, as diff and patch see it: the old last line gains one when lines are
   * added after it, and the line before a removed last line loses its own. Either is then a line
   * that changed, next to the last change (the lines between changes pair up, so the one before
   * it is unchanged on both sides).
   */
  private static void coverLastLines(List<Change> changes, int oldLines, int newLines) {
    boolean oldCovered = oldLines == 0;
    boolean newCovered = newLines == 0;
    for (Change c : changes) {
      oldCovered |= c.oldCount() > 0 && c.oldLine() + c.oldCount() - 1 == oldLines;
      newCovered |= c.newCount() > 0 && c.newLine() + c.newCount() - 1 == newLines;
    }
    if (oldCovered != newCovered) {
      Change c = changes.get(changes.size() - 1);
      changes.set(changes.size() - 1, new Change(c.oldLine() - 1, c.oldCount() + 1,
          c.newLine() - 1, c.newCount() + 1));
    }
  }

  /** The entry whose indentation and delimiter a key added to {@code section} copies. */
  private IniEntry styleFor(String section) {
    List<IniEntry> own = section(section).map(IniSection::entries).orElse(List.of());
    if (!own.isEmpty()) {
      return own.get(own.size() - 1);
    }
    if (index.lastEntryLine == 0) {
      return null;
    }
    for (Map.Entry<String, IniParser.Lines> e : index.sections.entrySet()) {
      IniParser.Lines at = e.getValue();
      if (at.entries.size() > 0 && at.entries.get(at.entries.size() - 1) == index.lastEntryLine) {
        return IniParser.entryAt(this, e.getKey(), index.lastEntryLine, index.autoKeys);
      }
    }
    throw new IllegalStateException("no section holds line " + index.lastEntryLine);
  }

  private static String keyLine(IniEntry style, String key, String value, String comment) {
    String indent = style == null ? "" : style.indent;
    String delimiter = style == null || style.value().isEmpty() || style.delimiter.isEmpty()
        ? " = " : style.delimiter;
    String text = indent + key + delimiter + IniValues.quote(value)
        + (comment.isEmpty() ? "" : " " + comment);
    // "CONN_STR =", not "CONN_STR = " with a trailing blank
    return value.isEmpty() && comment.isEmpty() ? text.stripTrailing() : text;
  }

  /** How many lines precede a key added to the existing {@code section}. */
  private int insertionPoint(String section) {
    IniParser.Lines at = index.sections.get(section);
    int after = 0;
    for (int i = 0; i < at.headers.size(); i++) {
      after = Math.max(after, at.headers.get(i));
    }
    for (IniEntry e : section(section).orElseThrow().entries()) {
      after = Math.max(after, e.lastLine());
    }
    if (after == 0) {
      // The default section without entries or header: before the first header.
      int firstHeader = Integer.MAX_VALUE;
      for (IniParser.Lines l : index.sections.values()) {
        if (l.headers.size() > 0) {
          firstHeader = Math.min(firstHeader, l.headers.get(0));
        }
      }
      after = firstHeader == Integer.MAX_VALUE ? lineCount() : firstHeader - 1;
    }
    return after;
  }

  /** A byte buffer whose array is taken as it is when exactly full: a large file is not copied. */
  private static final class Buffer extends ByteArrayOutputStream {
    Buffer(int size) {
      super(size);
    }

    byte[] buffer() {
      return buf;
    }
  }

  /** The size of the edited file, before a final newline is dropped: the buffer's exact size. */
  private int outputSize(Map<Integer, Op> ops, Map<Integer, List<String>> inserts, String eol,
      boolean lastRemoved) {
    long size = content.length;
    for (Op op : ops.values()) {
      int last = op.entry().lastLine() - 1;
      size -= starts[last + 1] - starts[op.entry().line() - 1];
      if (op.text() != null) {
        for (String[] l : splitText(op.text(), eol(last))) {
          size += l[0].getBytes(StandardCharsets.UTF_8).length + l[1].length();
        }
      }
    }
    for (Map.Entry<Integer, List<String>> e : inserts.entrySet()) {
      if (e.getKey() == lineCount() && !endsWithNewline() && !lastRemoved) {
        size += eol.length();
      }
      for (String t : e.getValue()) {
        size += t.getBytes(StandardCharsets.UTF_8).length + eol.length();
      }
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(sourceName + " would be larger than 2 GB");
    }
    return (int) size;
  }

  private static void writeLine(ByteArrayOutputStream out, String text, String eol) {
    out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(eol.getBytes(StandardCharsets.US_ASCII));
  }

  /** Splits text an edit writes into {text, eol} lines; the last ends with {@code lastEol}. */
  private static List<String[]> splitText(String text, String lastEol) {
    List<String[]> lines = new ArrayList<>();
    int start = 0;
    for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
      boolean cr = i > start && text.charAt(i - 1) == '\r';
      lines.add(new String[] {text.substring(start, cr ? i - 1 : i), cr ? CRLF : LF});
      start = i + 1;
    }
    lines.add(new String[] {text.substring(start), lastEol});
    return lines;
  }

  private String dominantEol() {
    int crlf = 0;
    int lf = 0;
    for (int i = 0; i < content.length; i++) {
      if (content[i] == '\n') {
        if (i > 0 && content[i - 1] == '\r') {
          crlf++;
        } else {
          lf++;
        }
      }
    }
    return crlf > lf ? CRLF : LF;
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
    return sourceName + " (" + lineCount() + " lines, " + index.sections.size() + " sections)";
  }
}
