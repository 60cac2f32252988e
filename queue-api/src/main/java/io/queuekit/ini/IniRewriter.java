package io.queuekit.ini;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Applies an {@link IniEditPlan} in one pass over the file's bytes: lines no edit touches are
 * copied byte for byte, an edited entry's lines are replaced or dropped, and the lines {@link
 * IniInsertions} places are written in between, ending the way most lines of the file end. A file
 * without a final newline stays without one. The result is read back, and each edit is checked to
 * read as intended, so that a bug here fails the edit rather than writes a file that means
 * something else.
 *
 * <p>The output buffer is sized exactly beforehand, so that a large file is written without being
 * copied again. The {@link IniFile.Change}s it reports are the hunks a diff of the two versions
 * would show, in line order.
 *
 * <p><b>Thread-safety:</b> stateless; reads the (immutable) file and a plan no one changes anymore.
 */
final class IniRewriter {
  private IniRewriter() {}

  /**
   * The edited file and its changes.
   *
   * @throws IllegalArgumentException when two edits overlap, or the file would exceed 2 GB
   * @throws IllegalStateException when an edit does not read back as intended (a bug)
   */
  static IniFile.Edited apply(IniEditPlan plan) {
    IniFile file = plan.file();
    IniLines lines = file.lines();
    byte[] content = lines.bytes();
    NavigableMap<Integer, IniEditPlan.Op> ops = plan.ops();
    String eol = lines.dominantEol();
    int n = lines.count();
    // Lines to insert after k original lines: keys added to existing sections, new sections.
    TreeMap<Integer, List<String>> inserts = IniInsertions.of(file, plan.added());
    // Events in line order: an edit of the entry on line L sorts as 2L, an insertion after k
    // lines as 2k + 1, so that lines added after an edited entry follow its replacement.
    TreeMap<Integer, Object> events = new TreeMap<>();
    ops.forEach((line, op) -> events.put(line * 2, op));
    inserts.forEach((after, texts) -> events.put(after * 2 + 1, texts));

    boolean lastRemoved = removesLastLine(ops, n);
    Buffer out = new Buffer(outputSize(file, ops, inserts, eol, lastRemoved));
    List<IniFile.Change> changes = new ArrayList<>();
    List<Object[]> replaced = new ArrayList<>(); // new line, op: checked in the result
    int written = 0; // lines written so far
    int copied = 0; // original lines written or skipped so far
    for (Map.Entry<Integer, Object> ev : events.entrySet()) {
      if (ev.getValue() instanceof IniEditPlan.Op op) {
        int first = op.entry().line() - 1;
        int last = op.entry().lastLine() - 1;
        if (first < copied) {
          throw new IllegalArgumentException(op.entry() + " overlaps another edit");
        }
        out.write(content, lines.start(copied), lines.start(first) - lines.start(copied));
        written += first - copied;
        int count = 0;
        if (op.text() != null) {
          for (String[] l : splitText(op.text(), lines.eol(last))) {
            writeLine(out, l[0], l[1]);
            count++;
          }
          replaced.add(new Object[] {written + 1, op});
        }
        changes.add(new IniFile.Change(first + 1, last - first + 1, written + 1, count));
        written += count;
        copied = last + 1;
      } else {
        @SuppressWarnings("unchecked")
        List<String> texts = (List<String>) ev.getValue();
        int after = ev.getKey() / 2;
        out.write(content, lines.start(copied), lines.start(after) - lines.start(copied));
        written += after - copied;
        copied = after;
        if (after == n && !lines.endsWithNewline() && !lastRemoved) {
          // the old last line (copied or replaced) gets a terminator; a removed one has none to
          // get, and writing it anyway would leave a blank line before the added ones
          out.writeBytes(eol.getBytes(StandardCharsets.US_ASCII));
        }
        changes.add(new IniFile.Change(after + 1, 0, written + 1, texts.size()));
        for (String t : texts) {
          writeLine(out, t, eol);
          written++;
        }
      }
    }
    out.write(content, lines.start(copied), content.length - lines.start(copied));
    byte[] bytes = out.size() == out.buffer().length ? out.buffer() : out.toByteArray();
    if (!lines.endsWithNewline()) {
      // A file without a final newline stays without one, whatever was removed or added last.
      int cut = bytes.length > 0 && bytes[bytes.length - 1] == '\n'
          ? (bytes.length > 1 && bytes[bytes.length - 2] == '\r' ? 2 : 1) : 0;
      bytes = Arrays.copyOf(bytes, bytes.length - cut);
    }
    IniFile edited = new IniFile(file.sourceName(), bytes);
    if (!lines.endsWithNewline()) {
      coverLastLines(changes, n, edited.lineCount());
    }
    for (Object[] r : replaced) {
      IniEditPlan.Op op = (IniEditPlan.Op) r[1];
      verify(edited, op.entry().section(), op.entry().key(), op.value(), (Integer) r[0]);
    }
    for (Map.Entry<String, List<IniEditPlan.NewKey>> a : plan.added().entrySet()) {
      for (IniEditPlan.NewKey k : a.getValue()) {
        verify(edited, a.getKey(), k.key(), k.value(), -1);
      }
    }
    return new IniFile.Edited(edited, List.copyOf(changes));
  }

  /** Whether {@code ops} remove the file's last line (with the entry that ends on it). */
  private static boolean removesLastLine(NavigableMap<Integer, IniEditPlan.Op> ops, int lineCount) {
    // entries do not overlap: the one ending on the last line would be the last one
    Map.Entry<Integer, IniEditPlan.Op> last = ops.lastEntry();
    return last != null && last.getValue().text() == null
        && last.getValue().entry().lastLine() == lineCount;
  }

  /**
   * For a file without a final newline: makes the last change cover the last line of both
   * versions, unless that is one unchanged line. A last line without a terminator differs from
   * the same text with one, as diff and patch see it: the old last line gains one when lines are
   * added after it, and the line before a removed last line loses its own. Either is then a line
   * that changed, next to the last change (the lines between changes pair up, so the one before
   * it is unchanged on both sides).
   */
  private static void coverLastLines(List<IniFile.Change> changes, int oldLines, int newLines) {
    boolean oldCovered = oldLines == 0;
    boolean newCovered = newLines == 0;
    for (IniFile.Change c : changes) {
      oldCovered |= c.oldCount() > 0 && c.oldLine() + c.oldCount() - 1 == oldLines;
      newCovered |= c.newCount() > 0 && c.newLine() + c.newCount() - 1 == newLines;
    }
    if (oldCovered != newCovered) {
      IniFile.Change c = changes.get(changes.size() - 1);
      changes.set(changes.size() - 1, new IniFile.Change(c.oldLine() - 1, c.oldCount() + 1,
          c.newLine() - 1, c.newCount() + 1));
    }
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
  private static int outputSize(IniFile file, Map<Integer, IniEditPlan.Op> ops,
      Map<Integer, List<String>> inserts, String eol, boolean lastRemoved) {
    IniLines lines = file.lines();
    long size = lines.bytes().length;
    for (IniEditPlan.Op op : ops.values()) {
      int last = op.entry().lastLine() - 1;
      size -= lines.start(last + 1) - lines.start(op.entry().line() - 1);
      if (op.text() != null) {
        for (String[] l : splitText(op.text(), lines.eol(last))) {
          size += l[0].getBytes(StandardCharsets.UTF_8).length + l[1].length();
        }
      }
    }
    for (Map.Entry<Integer, List<String>> e : inserts.entrySet()) {
      if (e.getKey() == lines.count() && !lines.endsWithNewline() && !lastRemoved) {
        size += eol.length();
      }
      for (String t : e.getValue()) {
        size += t.getBytes(StandardCharsets.UTF_8).length + eol.length();
      }
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(file.sourceName() + " would be larger than 2 GB");
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
      lines.add(new String[] {text.substring(start, cr ? i - 1 : i),
          cr ? IniLines.CRLF : IniLines.LF});
      start = i + 1;
    }
    lines.add(new String[] {text.substring(start), lastEol});
    return lines;
  }

  /**
   * Checks that an edit reads back as intended in {@code edited}: the entry for {@code key} on
   * {@code line}, else (for {@code line <= 0}) the last one.
   */
  private static void verify(IniFile edited, String section, String key, String value, int line) {
    IniEntry e = null;
    for (IniEntry candidate : edited.section(section).map(IniSection::entries).orElse(List.of())) {
      if (candidate.key().equals(key) && (line <= 0 || candidate.line() == line)) {
        e = candidate;
      }
    }
    if (e == null) {
      throw new IllegalStateException("edit lost [" + section + "] " + key + " in "
          + edited.sourceName());
    }
    if (!e.value().equals(value)) {
      throw new IllegalStateException("edit of [" + section + "] " + key + " in "
          + edited.sourceName() + " reads back as " + e.value() + " on line " + e.line());
    }
  }
}
