package io.queuekit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's settings table is the code's: every key, default and description, in order. */
class ReadmeSettingsTableTest {
  private static Map<String, String[]> readmeRows() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("..", "README.md"));
    int start = lines.indexOf("## Settings");
    assertThat(start).as("README has a '## Settings' section").isPositive();
    Map<String, String[]> rows = new LinkedHashMap<>();
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.startsWith("## ")) {
        break;
      }
      if (line.startsWith("| `")) {
        String[] cells = line.substring(1, line.length() - 1).split(" \\| ", -1);
        String key = cells[0].trim().replace("`", "");
        rows.put(key, new String[] {cells[1].trim(), cells[2].trim()});
      }
    }
    return rows;
  }

  @Test
  void everySettingIsInTheReadmeWithItsDefaultAndDescription() throws IOException {
    Map<String, String[]> rows = readmeRows();
    assertThat(rows.keySet()).containsExactly(
        java.util.Arrays.stream(Setting.values()).map(Setting::key).toArray(String[]::new));
    for (Setting s : Setting.values()) {
      String shown = s.defaultText().isEmpty() ? "(empty)" : "`" + s.defaultText() + "`";
      assertThat(rows.get(s.key())[0]).as("default of %s", s.key()).isEqualTo(shown);
      assertThat(rows.get(s.key())[1]).as("description of %s", s.key()).isEqualTo(s.description());
    }
  }

  @Test
  void theDocumentedDefaultsAreTheDefaultsTheCodeUses() {
    QueueSettings defaults = QueueSettings.defaults();
    for (Setting s : Setting.values()) {
      if (s == Setting.MAX_WORKERS) {
        assertThat(defaults.maxWorkers())
            .isEqualTo(Math.max(1, Math.min(10, Runtime.getRuntime().availableProcessors() / 2)));
        continue;
      }
      QueueSettings fromText = QueueSettings.builder().set(s, s.defaultText()).build();
      assertThat(fromText.text(s)).as("default of %s", s.key()).isEqualTo(defaults.text(s));
    }
  }
}
