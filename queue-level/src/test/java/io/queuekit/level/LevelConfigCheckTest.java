package io.queuekit.level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.QueueConfigException;
import io.queuekit.ini.ConfigCheck;
import io.queuekit.ini.Finding;
import io.queuekit.ini.IniFile;
import io.queuekit.ini.IniQueueConfig;
import org.junit.jupiter.api.Test;

/** The check asks the LevelDB backend to read each location as start-up does. */
class LevelConfigCheckTest {

  @Test
  void aLeveldbConnStrWithNoDirectoryFailsTheCheckWithFileAndLine() {
    String text = "[queue.mail]\nTYPE = level\nCONN_STR = leveldb://\n";
    assertThat(ConfigCheck.run(IniFile.parse(text, "app.ini"))).filteredOn(Finding::fatal)
        .singleElement().satisfies(f -> {
          assertThat(f.line()).isEqualTo(3);
          assertThat(f.message()).contains("names no directory");
        });
    assertThatThrownBy(() -> IniQueueConfig.parse(text, "app.ini"))
        .isInstanceOf(QueueConfigException.class).hasMessageContaining("app.ini:3");
  }

  @Test
  void aGoodLocationPasses() {
    assertThat(ConfigCheck.run(IniFile.parse(
        "[queue.mail]\nTYPE = level\nCONN_STR = leveldb://queues/mail?engine=java\n", "app.ini"))).isEmpty();
  }
}
