package io.queuekit.ini;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The edits one {@link IniFile.Edits} collects for one file, checked as they are added (so that
 * the caller learns of a bad key or value where it asked for it) and applied later, all at once,
 * by {@link IniRewriter}. Every entry and line refers to that file, whatever the other edits do.
 *
 * <p><b>Ordering:</b> replacements and removals by the line their entry starts on; sections to add
 * to in the order first named, and each section's keys in the order added.
 *
 * <p><b>Thread-safety:</b> not thread-safe: filled by one thread, as {@link IniFile.Edits} is.
 */
final class IniEditPlan {
  /** A replacement ({@code text} non-null, reading back as {@code value}) or a removal. */
  record Op(IniEntry entry, String text, String value) {}

  /** A key to add: {@code inlineComment} is {@code ""} or starts with {@code ;} or {@code #}. */
  record NewKey(String key, String value, String inlineComment) {}

  private final IniFile file;
  private final TreeMap<Integer, Op> ops = new TreeMap<>();
  /** An empty list is a section to add without keys ({@link #addSection}). */
  private final Map<String, List<NewKey>> added = new LinkedHashMap<>();

  IniEditPlan(IniFile file) {
    this.file = file;
  }

  /** The file the edits are for. */
  IniFile file() {
    return file;
  }

  /** Replacements and removals, keyed by the 1-based line their entry starts on. */
  NavigableMap<Integer, Op> ops() {
    return Collections.unmodifiableNavigableMap(ops);
  }

  /** Keys to add, per section. */
  Map<String, List<NewKey>> added() {
    return Collections.unmodifiableMap(added);
  }

  /** @see IniFile.Edits#remove */
  void remove(IniEntry entry) {
    checkOwner(entry);
    put(entry, new Op(entry, null, null));
  }

  /** @see IniFile.Edits#setValue */
  void setValue(IniEntry entry, String value) {
    checkOwner(entry);
    // The replacement keeps what surrounds the value as written: the key and delimiter before it
    // on the first line, the inline comment after it on the last.
    String first = file.text(entry.line() - 1);
    String last = file.text(entry.lastLine() - 1);
    String t = first.substring(0, entry.valueStart) + IniValues.quote(value)
        + last.substring(Math.min(entry.valueEnd, last.length()));
    put(entry, new Op(entry, t, value));
  }

  /** @see IniFile.Edits#addKey */
  void addKey(String section, String key, String value, String inlineComment) {
    IniNames.checkKey(key, inlineComment);
    IniNames.checkSection(section);
    IniValues.quote(value); // fails now for a value go-ini cannot represent
    added.computeIfAbsent(section, k -> new ArrayList<>())
        .add(new NewKey(key, value, inlineComment));
  }

  /** @see IniFile.Edits#addSection */
  void addSection(String section) {
    IniNames.checkSection(section);
    added.computeIfAbsent(section, k -> new ArrayList<>());
  }

  private void put(IniEntry entry, Op op) {
    if (ops.putIfAbsent(entry.line(), op) != null) {
      throw new IllegalArgumentException(entry + " is edited twice");
    }
  }

  // An entry of another version of the file has line numbers and offsets that mean nothing here.
  private void checkOwner(IniEntry entry) {
    if (entry.owner != file) {
      throw new IllegalArgumentException(entry + " was not read from this version of the file");
    }
  }
}
