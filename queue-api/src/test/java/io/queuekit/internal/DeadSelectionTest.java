package io.queuekit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link DeadSelection}, as {@code queuekit dead replay} and the admin API use it: ids found as
 * dead letters but gone when acted on (two operators replaying one at once) are counted as taken,
 * never a "replayed 0" with exit 0. The race cannot be forced from outside, so the count is
 * tested on what a command hands it; the look for missing ids pages until all are found.
 */
class DeadSelectionTest {
  @Test
  void idsFoundButNotActedOnAreTakenAndRepeatsAndMissingOnesAreNot() {
    assertThat(DeadSelection.taken(List.of(7L), Set.of(), 0)).isEqualTo(1);
    assertThat(DeadSelection.taken(List.of(1L, 2L, 3L, 4L), Set.of(4L), 1)).isEqualTo(2);
    assertThat(DeadSelection.taken(List.of(5L, 5L, 6L), Set.of(), 2)).isZero();
    assertThat(DeadSelection.taken(List.of(5L, 6L), Set.of(6L), 1)).isZero();
    assertThat(DeadSelection.takenMessage(1)).isEqualTo("1 of the ids named was a dead letter when "
        + "looked for but gone when acted on (another replay or purge took it meanwhile)");
    assertThat(DeadSelection.takenMessage(2)).startsWith("2 of the ids named were dead letters");
  }

  @Test
  void theLookForMissingIdsPagesNewestFirstAndStopsOnceAllAreFound() {
    List<Long> dead = new ArrayList<>();
    for (long id = 1200; id >= 1; id--) {
      dead.add(id);
    }
    List<Integer> offsets = new ArrayList<>();
    Set<Long> missing = DeadSelection.missing(List.of(1100L, 2000L, 5L, 1100L), (offset, limit) -> {
      offsets.add(offset);
      return dead.subList(Math.min(offset, dead.size()), Math.min(offset + limit, dead.size()));
    });
    assertThat(missing).containsExactly(2000L);
    assertThat(offsets).containsExactly(0, 500, 1000, 1500);
    offsets.clear();
    assertThat(DeadSelection.missing(List.of(1200L), (offset, limit) -> {
      offsets.add(offset);
      return dead.subList(offset, offset + limit);
    })).isEmpty();
    assertThat(offsets).containsExactly(0);
  }
}
