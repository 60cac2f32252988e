package io.queuekit.ini;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the keys and sections an edit adds go, and how their lines are written: a key added to an
 * existing section goes after the section's last entry (or its last header), one added to a new
 * section goes in that section, appended at the end of the file after a blank line. A new key line
 * copies the indentation and the spacing around the delimiter of the section's last entry, else
 * of the file's last entry, else is {@code KEY = value}.
 *
 * <p><b>Ordering:</b> lines to insert by the number of original lines they follow; within one
 * position, keys in the order added, and new sections (at the end) in the order first named.
 *
 * <p><b>Thread-safety:</b> stateless; reads the (immutable) file only.
 */
final class IniInsertions {
  private IniInsertions() {}

  /**
   * The lines (without terminators) to insert for {@code added}, keyed by how many original lines
   * of {@code file} precede them.
   */
  static TreeMap<Integer, List<String>> of(IniFile file,
      Map<String, List<IniEditPlan.NewKey>> added) {
    int n = file.lineCount();
    TreeMap<Integer, List<String>> inserts = new TreeMap<>();
    List<String> appended = new ArrayList<>();
    for (Map.Entry<String, List<IniEditPlan.NewKey>> a : added.entrySet()) {
      String section = a.getKey();
      IniEntry style = styleFor(file, section);
      List<String> texts = new ArrayList<>();
      for (IniEditPlan.NewKey k : a.getValue()) {
        texts.add(keyLine(style, k.key(), k.value(), k.inlineComment()));
      }
      if (file.index().sections.containsKey(section)) {
        if (texts.isEmpty()) {
          continue; // addSection of a section that exists: nothing to write
        }
        inserts.computeIfAbsent(insertionPoint(file, section), k -> new ArrayList<>())
            .addAll(texts);
      } else {
        boolean blankBefore = appended.isEmpty()
            ? n > 0 && !IniParser.trimSpace(file.text(n - 1)).isEmpty() : true;
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
    return inserts;
  }

  /** The entry whose indentation and delimiter a key added to {@code section} copies, or null. */
  private static IniEntry styleFor(IniFile file, String section) {
    List<IniEntry> own = file.section(section).map(IniSection::entries).orElse(List.of());
    if (!own.isEmpty()) {
      return own.get(own.size() - 1);
    }
    IniParser.Index index = file.index();
    if (index.lastEntryLine == 0) {
      return null;
    }
    for (Map.Entry<String, IniParser.Lines> e : index.sections.entrySet()) {
      IniParser.Lines at = e.getValue();
      if (at.entries.size() > 0 && at.entries.get(at.entries.size() - 1) == index.lastEntryLine) {
        return IniParser.entryAt(file, e.getKey(), index.lastEntryLine, index.autoKeys);
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
  private static int insertionPoint(IniFile file, String section) {
    IniParser.Index index = file.index();
    IniParser.Lines at = index.sections.get(section);
    int after = 0;
    for (int i = 0; i < at.headers.size(); i++) {
      after = Math.max(after, at.headers.get(i));
    }
    for (IniEntry e : file.section(section).orElseThrow().entries()) {
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
      after = firstHeader == Integer.MAX_VALUE ? file.lineCount() : firstHeader - 1;
    }
    return after;
  }
}
