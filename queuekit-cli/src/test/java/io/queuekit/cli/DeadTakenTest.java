package io.queuekit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code dead replay}/{@code dead purge}: ids found as dead letters but gone when acted on (two
 * operators replaying one at once) are counted as taken, never a "replayed 0" with exit 0. The
 * race cannot be forced from outside, so the count is tested on what the command hands it.
 */
class DeadTakenTest {
  @Test
  void idsFoundButNotActedOnAreTakenAndRepeatsAndMissingOnesAreNot() {
    assertThat(DeadCommand.taken(List.of(7L), Set.of(), 0)).isEqualTo(1);
    assertThat(DeadCommand.taken(List.of(1L, 2L, 3L, 4L), Set.of(4L), 1)).isEqualTo(2);
    assertThat(DeadCommand.taken(List.of(5L, 5L, 6L), Set.of(), 2)).isZero();
    assertThat(DeadCommand.taken(List.of(5L, 6L), Set.of(6L), 1)).isZero();
    assertThat(DeadCommand.takenMessage(1)).isEqualTo("1 of the ids named was a dead letter when "
        + "looked for but gone when acted on (another replay or purge took it meanwhile)");
    assertThat(DeadCommand.takenMessage(2)).startsWith("2 of the ids named were dead letters");
  }
}
