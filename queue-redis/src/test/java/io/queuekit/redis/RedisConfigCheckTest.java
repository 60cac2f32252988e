package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.QueueConfigException;
import io.queuekit.ini.ConfigCheck;
import io.queuekit.ini.Finding;
import io.queuekit.ini.IniFile;
import io.queuekit.ini.IniQueueConfig;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The configuration check asks the Redis backend to parse each CONN_STR as start-up does, so a
 * file that passes {@code check} does not fail in {@code create()} without a file and line.
 */
class RedisConfigCheckTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "redis://h:6379/abc | not a database number",
      "redis://h:notaport/0 | notaport",
      "redis+sentinel://h:26379/0 | master's name",
      "redis://:s3cretPW@h:notaport/0 | notaport",
  })
  void aConnStrStartUpWouldRefuseFailsTheCheckWithFileAndLine(String connStr, String why) {
    String text = "[queue]\nTYPE = redis\n\n[queue.mail]\nCONN_STR = " + connStr + "\n";
    List<Finding> findings = ConfigCheck.run(IniFile.parse(text, "app.ini"));
    assertThat(findings).filteredOn(Finding::fatal).singleElement().satisfies(f -> {
      assertThat(f.line()).isEqualTo(5);
      assertThat(f.message()).contains(why).doesNotContain("s3cretPW");
    });
    assertThatThrownBy(() -> IniQueueConfig.parse(text, "app.ini"))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("app.ini:5")
        .hasMessageNotContaining("s3cretPW");
  }

  @org.junit.jupiter.api.Test
  void durabilityWithAClusterFailsTheCheck() {
    String text = "[queue]\nTYPE = redis\n\n[queue.mail]\nCONN_STR = redis+cluster://:s3cretPW@h:7000"
        + "\nDURABILITY = replica\n";
    List<Finding> findings = ConfigCheck.run(IniFile.parse(text, "app.ini"));
    assertThat(findings).filteredOn(Finding::fatal).singleElement().satisfies(f ->
        assertThat(f.message()).contains("queue \"mail\"")
            .contains("DURABILITY=replica is not supported with Redis Cluster")
            .doesNotContain("s3cretPW"));
    assertThatThrownBy(() -> IniQueueConfig.parse(text, "app.ini"))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("DURABILITY=replica")
        .hasMessageNotContaining("s3cretPW");
  }
}
