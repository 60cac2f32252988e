package io.queuekit.internal;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A replay or purge of dead letters named by id, as the CLI ({@code queuekit dead replay}) and
 * the admin API run it: the named ids are looked for first, the action runs, and the shortfall is
 * named, so "replayed 0" is never mistaken for success. Ids no dead letter holds are {@link
 * #missing}; ids found but gone when acted on (another replay or purge took them meanwhile) are
 * {@link #taken}.
 *
 * <p><b>Thread-safety:</b> stateless.
 */
public final class DeadSelection {
  private DeadSelection() {}

  /**
   * The ids of {@code named} that are not among {@code found} (the dead letters a look-up by id
   * found: {@code BaseQueue.findDead}), in the order named, each once.
   */
  public static Set<Long> missing(List<Long> named, Collection<Long> found) {
    Set<Long> missing = new LinkedHashSet<>(named);
    missing.removeAll(found);
    return missing;
  }

  /**
   * Of the ids named, how many were dead letters when looked for ({@code named} less {@code
   * missing}, each id once) but were not acted on ({@code done} counts those that were): another
   * replay or purge took them between the look and the action. Without it, two operators
   * replaying one dead letter at once would see one of them told "replayed 0".
   */
  public static long taken(List<Long> named, Set<Long> missing, long done) {
    return Math.max(0, new LinkedHashSet<>(named).size() - missing.size() - done);
  }

  /** Says that {@code taken} (at least 1) of the ids named were taken meanwhile. */
  public static String takenMessage(long taken) {
    return taken + " of the ids named " + (taken == 1 ? "was a dead letter" : "were dead letters")
        + " when looked for but gone when acted on (another replay or purge took "
        + (taken == 1 ? "it" : "them") + " meanwhile)";
  }
}
