package io.queuekit.ini;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sections an {@link IniFile} read last, kept so that asking again for one costs nothing:
 * the checks ask for the same few sections again and again, while a file keeps only where its
 * entries are ({@link IniParser.Index}) and reads them on demand. At most {@value #CAPACITY}
 * sections are kept, the least recently used dropped first, so that a file with very many
 * sections does not hold all of them.
 *
 * <p><b>Thread-safety:</b> thread-safe (each call synchronizes). A section is read outside the
 * lock, so two threads may read it at once and both put it; either copy is the same section.
 */
final class IniSectionCache {
  static final int CAPACITY = 64;

  private final Map<String, IniSection> sections = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, IniSection> eldest) {
      return size() > CAPACITY;
    }
  };

  /** The section {@code name} if kept, or null. */
  synchronized IniSection get(String name) {
    return sections.get(name);
  }

  synchronized void put(String name, IniSection section) {
    sections.put(name, section);
  }
}
