package io.queuekit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuekit.spi.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A dead letter in the JSON output: its payload's text, escaped once, by the JSON writer. */
class DeadJsonTest {
  private static DeadLetter dead(String payload) {
    return new DeadLetter(7, payload.getBytes(StandardCharsets.UTF_8), "bad", 1, 0,
        Instant.EPOCH, Instant.EPOCH);
  }

  @Test
  void aControlCharacterInAPayloadReadsBackAsItselfNotAsTheTextOutputsEscape() throws Exception {
    ObjectMapper json = QueuekitCli.JSON;
    String payload = "garbage\u001b[31mred\nline";
    String written = json.writeValueAsString(QueuekitCli.deadJson(dead(payload), true));
    assertThat(json.readTree(written).path("payload").asText()).isEqualTo(payload);
    assertThat(written).as("escaped once, not as \\\\u001b").doesNotContain("\\\\u001b")
        .doesNotContain("\\\\n");
  }

  @Test
  void aPreviewIsCutAtEightyCharactersAndSaysTheWholeSize() throws Exception {
    String preview = (String) QueuekitCli.deadJson(dead("x".repeat(100)), false).get("preview");
    assertThat(preview).isEqualTo("x".repeat(80) + "…(100 bytes)");
  }
}
