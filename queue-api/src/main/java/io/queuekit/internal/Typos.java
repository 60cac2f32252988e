package io.queuekit.internal;

import java.util.Collection;
import java.util.Optional;
import java.util.function.Function;

/**
 * "Did you mean" for misspelt names (an INI key, a queue type, a Spring property): the closest
 * known name by edit distance, unless even that one is too far to be a typo.
 *
 * <p><b>Thread-safety:</b> stateless.
 */
public final class Typos {
  private Typos() {}

  /**
   * The candidate whose name ({@code nameOf}) is closest to {@code name}, or empty when even the
   * closest is more than two edits away and more than a third of the longer name: {@code
   * ISSUE_INDEXER_QUEUE_TYPE} is not a misspelt {@code QUEUE_NAME}. Ties go to the first.
   */
  public static <T> Optional<T> closest(String name, Collection<T> candidates,
      Function<T, String> nameOf) {
    T best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (T c : candidates) {
      int d = distance(name, nameOf.apply(c));
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    if (best == null) {
      return Optional.empty();
    }
    int longer = Math.max(name.length(), nameOf.apply(best).length());
    return bestDistance <= Math.max(2, longer / 3) ? Optional.of(best) : Optional.empty();
  }

  /**
   * Levenshtein distance. Written here rather than taken from a library (commons-text has one):
   * a dozen lines for a handful of short names do not justify a dependency in every service.
   */
  public static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
