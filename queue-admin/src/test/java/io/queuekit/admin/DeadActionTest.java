package io.queuekit.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link DeadAction}'s verdict on a replay or purge of named ids: the ids found beforehand but
 * gone when acted on (two operators replaying one dead letter at once) are a 409 naming how many,
 * never a 200 "replayed 0". The race itself cannot be forced through the API, so the verdict is
 * tested on the counts the route hands it.
 */
class DeadActionTest {
  @Test
  void idsGoneBetweenTheLookAndTheActionAreAConflictNamingHowMany() {
    DeadAction a = DeadAction.of("index", "replayed", List.of(7L), Set.of(), 0);
    assertThat(a.status()).isEqualTo(409);
    assertThat(a.taken()).isEqualTo(1);
    assertThat(a.json()).containsEntry("replayed", 0L).containsEntry("taken", 1L)
        .containsEntry("queue", "index");
    assertThat(a.message()).isEqualTo("queue \"index\" 1 of the ids named was a dead letter when "
        + "looked for but gone when acted on (another replay or purge took it meanwhile); "
        + "none replayed");
  }

  @Test
  void missingIdsAreNamedAndTakenOnesCountedInOneAnswer() {
    DeadAction a = DeadAction.of("index", "purged", List.of(1L, 2L, 3L, 4L), Set.of(4L), 1);
    assertThat(a.status()).isEqualTo(409);
    assertThat(a.json()).containsEntry("missing", Set.of(4L)).containsEntry("taken", 2L);
    assertThat(a.message()).startsWith("queue \"index\" has no dead letter 4 (replayed or purged "
        + "already, or never one), and 2 of the ids named were dead letters").endsWith("purged 1 other");
  }

  @Test
  void aMessageNamesTheFirstMissingIdsAndCountsTheRest() {
    List<Long> named = java.util.stream.LongStream.rangeClosed(1, 25).boxed().toList();
    DeadAction a = DeadAction.of("q", "purged", named, new java.util.LinkedHashSet<>(named), 0);
    assertThat(a.message()).startsWith("queue \"q\" has no dead letter 1, 2, 3,")
        .contains(", 20 and 5 more (replayed or purged already").doesNotContain("21")
        .endsWith("; none purged");
    assertThat(a.missing()).hasSize(25);
  }

  @Test
  void aRepeatedIdIsNotCountedAsTakenAndAllIsAlwaysDone() {
    assertThat(DeadAction.of("q", "replayed", List.of(5L, 5L, 6L), Set.of(), 2).status())
        .isEqualTo(200);
    DeadAction missing = DeadAction.of("q", "replayed", List.of(5L, 6L), Set.of(6L), 1);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json()).doesNotContainKey("taken");
    DeadAction all = DeadAction.of("q", "replayed", null, Set.of(), 0);
    assertThat(all.status()).isEqualTo(200);
    assertThat(all.json()).containsOnlyKeys("replayed");
  }
}
