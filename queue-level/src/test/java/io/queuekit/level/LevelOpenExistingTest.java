package io.queuekit.level;

import static io.queuekit.level.Fixture.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.QueueConfigException;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueues;
import io.queuekit.spi.StoreEvents;
import io.queuekit.spi.StoreNotFoundException;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link BaseQueueConfig.Open#EXISTING} on real LevelDB directories: never creates, takes the stored flavour. */
class LevelOpenExistingTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @RegisterExtension final Fixture f = new Fixture();

  private BaseQueue openExisting(String name, boolean unique) {
    BaseQueueConfig c = f.config(name, unique, s -> s);
    return BaseQueues.load().create("level", new BaseQueueConfig(c.name(), c.settings(), c.unique(),
        c.clock(), c.scheduler(), c.dataPath(), StoreEvents.NONE, BaseQueueConfig.Open.EXISTING));
  }

  @Test
  void aMissingDirectoryIsNotFoundAndNotCreated() {
    assertThatThrownBy(() -> openExisting("issue_indexer", false))
        .isInstanceOf(StoreNotFoundException.class)
        .hasMessageContaining("queue \"issue_indexer\"")
        .hasMessageContaining(f.commonDir().toString())
        .hasMessageContaining("does not exist");
    assertThat(f.dataPath.resolve("queues")).doesNotExist();
  }

  @Test
  void anEmptyDirectoryIsNotFoundAndLeftEmpty() throws Exception {
    Files.createDirectories(f.commonDir());
    assertThatThrownBy(() -> openExisting("issue_indexer", false))
        .isInstanceOf(StoreNotFoundException.class)
        .hasMessageContaining("holds no LevelDB");
    assertThat(f.commonDir()).isEmptyDirectory();
  }

  @Test
  void aQueueAbsentFromAnExistingDbIsNotFoundAndNothingIsWritten() {
    try (BaseQueue other = f.open("mail", false)) {
      other.push(item("a"), LONG);
    }
    assertThatThrownBy(() -> openExisting("issue_indexr", true))
        .isInstanceOf(StoreNotFoundException.class)
        .hasMessageContaining("queue \"issue_indexr\"")
        .hasMessageContaining("issue_indexr_queue")
        .hasMessageContaining(f.commonDir().toString());
    try (RawDb raw = RawDb.open(f.commonDir(), Engine.JNI)) {
      assertThat(raw.keysOf(new Keys("issue_indexr_queue"))).isEmpty();
    }
    // and a service can still create it as the flavour it wants
    try (BaseQueue q = f.open("issue_indexr", false)) {
      assertThat(q.unique()).isFalse();
    }
  }

  @Test
  void anExistingQueueOpensAsTheFlavourItWasCreatedWith() {
    try (BaseQueue q = f.open("issue_indexer", true)) {
      q.push(item("a"), LONG);
    }
    try (BaseQueue q = openExisting("issue_indexer", false)) {
      assertThat(q.unique()).isTrue();
      assertThat(q.len()).isEqualTo(1);
      assertThat(q.has("a".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isTrue();
    }
    try (BaseQueue q = f.open("issue_indexer", true)) {
      assertThat(q.len()).as("still a unique queue for its service").isEqualTo(1);
    }
  }

  @Test
  void aQueueWithoutAReadableFlavourIsRefusedNotGuessed() {
    try (BaseQueue q = f.open("mail", true)) {
      q.push(item("a"), LONG);
    }
    Keys keys = new Keys("mail_queue");
    try (RawDb raw = RawDb.open(f.commonDir(), Engine.JNI)) {
      raw.db.delete(keys.meta());
    }
    assertThatThrownBy(() -> openExisting("mail", false))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("queue \"mail\"").hasMessageContaining("flavour");
    try (RawDb raw = RawDb.open(f.commonDir(), Engine.JNI)) {
      assertThat(raw.db.get(keys.meta())).as("nothing rewritten").isNull();
    }
  }
}
