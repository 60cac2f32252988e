package io.queuekit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchmarksFileTest {

  @Test
  void replacesOnlyTheSectionsGivenAndKeepsTheOthers() {
    String old = BenchmarksFile.parse("").with(Map.of(
        "run", "old run\n", "channel", "old channel\n", "level", "old level\n"),
        List.of("channel", "level")).render();

    String text = BenchmarksFile.parse(old)
        .with(Map.of("run", "new run\n", "channel", "new channel\n"), List.of("channel", "level"))
        .render();

    assertThat(text).startsWith(BenchmarksFile.PREAMBLE);
    assertThat(BenchmarksFile.parse(text).sections()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "run", "new run\n", "channel", "new channel\n", "level", "old level\n"));
    assertThat(text.indexOf("new run")).isLessThan(text.indexOf("new channel"));
    assertThat(text.indexOf("new channel")).isLessThan(text.indexOf("old level"));
  }

  @Test
  void keepsSectionsOfScenariosItDoesNotKnowAfterTheKnownOnes() {
    String old = BenchmarksFile.parse("").with(Map.of("redis", "r\n"), List.of()).render();

    String text = BenchmarksFile.parse(old)
        .with(Map.of("run", "x\n", "channel", "c\n"), List.of("channel")).render();

    assertThat(text.indexOf("BEGIN channel")).isLessThan(text.indexOf("BEGIN redis"));
    assertThat(BenchmarksFile.parse(text).sections()).containsEntry("redis", "r\n");
  }

  @Test
  void renderingIsStable() {
    String once = BenchmarksFile.parse("").with(Map.of("run", "a\n", "channel", "b"),
        List.of("channel")).render();
    assertThat(BenchmarksFile.parse(once).with(Map.of(), List.of("channel")).render())
        .isEqualTo(once);
  }

  @Test
  void refusesAFileWithADuplicatedKey() {
    String twice = "<!-- BEGIN channel -->\na\n<!-- END channel -->\n"
        + "<!-- BEGIN channel -->\nb\n<!-- END channel -->\n";
    assertThatThrownBy(() -> BenchmarksFile.parse(twice))
        .hasMessageContaining("two sections keyed \"channel\"");
  }
}
