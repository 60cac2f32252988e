package io.queuekit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link DeadSelection}, as {@code queuekit dead replay} and the admin API use it: ids found as
 * dead letters but gone when acted on (two operators replaying one at once) are counted as taken,
 * never a "replayed 0" with exit 0. The race cannot be forced from outside, so the count is
 * tested on what a command hands it; the missing ids are those a look-up by id did not find.
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
  void missingIdsAreThoseNamedNotFoundInTheOrderNamedEachOnce() {
    assertThat(DeadSelection.missing(List.of(1100L, 2000L, 5L, 2000L, 7L), List.of(5L, 1100L)))
        .containsExactly(2000L, 7L);
    assertThat(DeadSelection.missing(List.of(3L), List.of(3L))).isEmpty();
  }
}
