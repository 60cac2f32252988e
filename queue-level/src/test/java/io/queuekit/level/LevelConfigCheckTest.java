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
  void anotherBackendsConnStrUnderTypeLevelIsRefusedWithItsPasswordMasked() {
    // TYPE left at the default while CONN_STR names a Redis: the error quotes the string
    QueueConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
        QueueConfigException.class, () -> LevelLocation.of("mail", io.queuekit.QueueSettings
            .builder().type("level").connStr("redis://:s3cretPW@127.0.0.1:6379/0").build(),
            java.nio.file.Path.of("data")));
    assertThat(e.getMessage()).contains("is not a LevelDB connection string")
        .contains("127.0.0.1:6379").doesNotContain("s3cretPW");
  }

  @Test
  void aGoodLocationPasses() {
    assertThat(ConfigCheck.run(IniFile.parse(
        "[queue.mail]\nTYPE = level\nCONN_STR = leveldb://queues/mail?engine=java\n", "app.ini"))).isEmpty();
  }
}
