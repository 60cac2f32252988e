package io.queuekit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuekit.Setting;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The IDE metadata the configuration processor writes from {@link QueueProperties}' javadoc says
 * what the README's settings table says ({@link Setting#description()} is checked against that
 * table by queue-api's own test), so completion in an IDE does not tell a different story.
 */
class PropertyMetadataTest {

  @SuppressWarnings("unchecked")
  private static Map<String, String> descriptions() throws Exception {
    // this module's own file: every Spring jar on the class path has one by the same name
    Path classes = Path.of(QueueProperties.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (InputStream in = Files.newInputStream(classes.resolve("META-INF/spring-configuration-metadata.json"))) {
      Map<String, Object> json = new ObjectMapper().readValue(in, Map.class);
      return ((List<Map<String, Object>>) json.get("properties")).stream()
          .filter(p -> p.get("description") != null)
          .collect(Collectors.toMap(p -> (String) p.get("name"), p -> (String) p.get("description")));
    }
  }

  /** The table's text without its Markdown: what the javadoc can say verbatim. */
  private static String plain(String markdown) {
    return markdown.replace("`", "");
  }

  @Test
  void everySettingsDescriptionSaysWhatTheReadmeTableSays() throws Exception {
    Map<String, String> descriptions = descriptions();
    for (Setting s : Setting.values()) {
      String property = "queuekit.defaults." + QueueProperties.propertyName(s);
      assertThat(descriptions).as(property).containsKey(property);
      assertThat(descriptions.get(property).toLowerCase(java.util.Locale.ROOT))
          .as(property)
          .contains(plain(s.description()).toLowerCase(java.util.Locale.ROOT));
    }
  }

  @Test
  void postgresIsNamedWhereTheReadmeNamesIt() throws Exception {
    Map<String, String> d = descriptions();
    assertThat(d.get("queuekit.defaults.type")).contains("postgres");
    assertThat(d.get("queuekit.defaults.conn-str")).contains("postgres://");
    assertThat(d.get("queuekit.defaults.consumer-timeout")).contains("PostgreSQL");
  }
}
