package io.queuekit.ini;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One section of an {@link IniFile}, with every entry under every header of that name: go-ini
 * merges a section written twice into one, and when a key repeats, its last value wins.
 *
 * <p><b>Ordering:</b> entries in file order. <b>Thread-safety:</b> immutable.
 */
public final class IniSection {
  private final String name;
  private final List<Integer> headerLines;
  private final List<IniEntry> entries;

  IniSection(String name, List<Integer> headerLines, List<IniEntry> entries) {
    this.name = name;
    this.headerLines = Collections.unmodifiableList(new ArrayList<>(headerLines));
    this.entries = Collections.unmodifiableList(new ArrayList<>(entries));
  }

  /** The name between the brackets, exactly as written (go-ini keeps case and blanks). */
  public String name() {
    return name;
  }

  /**
   * The 1-based line of the first {@code [name]} header, or 0 for the default section when the file
   * has no {@code [DEFAULT]} header.
   */
  public int line() {
    return headerLines.isEmpty() ? 0 : headerLines.get(0);
  }

  /** Every line holding a {@code [name]} header, in file order. */
  public List<Integer> headerLines() {
    return headerLines;
  }

  /** Every entry, duplicates included, in file order. */
  public List<IniEntry> entries() {
    return entries;
  }

  /** Every entry for {@code key} (compared exactly, as go-ini does), in file order. */
  public List<IniEntry> entries(String key) {
    List<IniEntry> out = new ArrayList<>();
    for (IniEntry e : entries) {
      if (e.key().equals(key)) {
        out.add(e);
      }
    }
    return out;
  }

  /** The entry go-ini uses for {@code key}: the last one, as a later value replaces an earlier. */
  public Optional<IniEntry> entry(String key) {
    for (int i = entries.size() - 1; i >= 0; i--) {
      if (entries.get(i).key().equals(key)) {
        return Optional.of(entries.get(i));
      }
    }
    return Optional.empty();
  }

  /** The distinct keys, in order of first appearance. */
  public Set<String> keys() {
    Set<String> keys = new LinkedHashSet<>();
    for (IniEntry e : entries) {
      keys.add(e.key());
    }
    return Collections.unmodifiableSet(keys);
  }

  @Override
  public String toString() {
    return "[" + name + "]";
  }
}
