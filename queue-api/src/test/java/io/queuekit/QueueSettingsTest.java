package io.queuekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.internal.ConnStrings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class QueueSettingsTest {
  @Test
  void defaultsAreGiteas() {
    QueueSettings s = QueueSettings.defaults();
    assertThat(s.type()).isEqualTo("level");
    assertThat(s.dataDir()).isEqualTo("queues/common");
    assertThat(s.connStr()).isEmpty();
    assertThat(s.length()).isEqualTo(100_000);
    assertThat(s.batchLength()).isEqualTo(20);
    assertThat(s.batchDebounce()).isEqualTo(Duration.ofMillis(100));
    assertThat(s.maxWorkers()).isBetween(1, 10);
    assertThat(s.workerIdleTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.pushTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.shutdownTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.handlerTimeout()).isZero();
    assertThat(s.retryDelay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.retryDelayMax()).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.maxDeliveries()).isZero();
    assertThat(s.maxRecoveries()).isEqualTo(3);
    assertThat(s.sync()).isFalse();
    assertThat(s.consumerTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.deadLetterLength()).isEqualTo(10_000);
    assertThat(s.maxItemSize()).isEqualTo(1 << 20);
    assertThat(s.queueFullName("mail")).isEqualTo("mail_queue");
    assertThat(s.setFullName("mail")).isEqualTo("mail_queue_unique");
  }

  @Test
  void nonPositiveLengthsAndWorkersFallBackToDefaultsAsInGitea() {
    QueueSettings s = QueueSettings.builder().length(0).batchLength(-1).maxWorkers(0).build();
    assertThat(s.length()).isEqualTo(100_000);
    assertThat(s.batchLength()).isEqualTo(20);
    assertThat(s.maxWorkers()).isEqualTo(QueueSettings.defaultMaxWorkers());
  }

  @Test
  void emptySetNameStillGivesTheSetItsOwnName() {
    QueueSettings s = QueueSettings.builder().queueName("_q2").setName("").build();
    assertThat(s.queueFullName("sub")).isEqualTo("sub_q2");
    assertThat(s.setFullName("sub")).isEqualTo("sub_q2_unique");
  }

  @Test
  void typeAliasesBecomeLevelAndUnknownTypesAreErrors() {
    assertThat(QueueSettings.builder().type("leveldb").build().type()).isEqualTo("level");
    assertThat(QueueSettings.builder().type("levelqueue").build().type()).isEqualTo("level");
    assertThatThrownBy(() -> QueueSettings.builder().type("rediss"))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("TYPE=rediss")
        .hasMessageContaining("did you mean redis?")
        .hasMessageContaining("use one of channel, dummy, immediate, level, redis");
  }

  @Test
  void aTypeWhoseBackendIsMissingNamesTheArtifactToAdd() {
    // queue-api's tests load FakeBackends only; "kafka" is served by no published artifact
    assertThatThrownBy(() -> io.queuekit.spi.BaseQueues.of(java.util.List.of())
        .factory("immediate", "mail"))
        .isInstanceOf(QueueConfigException.class)
        .hasMessage("queue \"mail\": TYPE=immediate: no backend on the class path serves it; add"
            + " the artifact io.queuekit:queue-dummy (no backend is on the class path)");
    assertThatThrownBy(() -> QueueSettings.builder().type("kafka"))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageStartingWith("TYPE=kafka is not a queue type; use one of channel, dummy,");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"Dummy,dummy", "LEVEL,level", "Redis,redis",
      "LevelDB,leveldb", "Unique-Level,unique-level"})
  void typeNamesAreCaseSensitiveAsInGiteaWithDidYouMean(String given, String meant) {
    // Gitea's switch is case-sensitive: TYPE=Dummy is not dummy there (it keeps the items, as
    // level); silently discarding them here would be worse than refusing to start
    assertThatThrownBy(() -> QueueSettings.builder().type(given))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("TYPE=" + given)
        .hasMessageContaining("case-sensitive")
        .hasMessageContaining("did you mean " + meant + "?");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"unique-level,level", "unique-channel,channel",
      "unique-redis,redis", "persistable-channel,level", "unique-persistable-channel,level",
      "wrapped,level"})
  void oldGiteaTypeNamesAreReadAsWhatTheyMeant(String old, String now) {
    assertThat(QueueSettings.builder().type(old).build().type()).isEqualTo(now);
    assertThat(QueueSettings.oldTypeName(old)).contains(now);
    assertThat(QueueSettings.oldTypeName(now)).isEmpty();
  }

  @Test
  void textValuesAreParsedAndBadOnesNameKeyAndValue() {
    QueueSettings s = QueueSettings.builder()
        .set(Setting.BATCH_DEBOUNCE, "1m30s")
        .set(Setting.MAX_ITEM_SIZE, "512KiB")
        .set(Setting.SYNC, "on")
        .set(Setting.LENGTH, " 10 ")
        .build();
    assertThat(s.batchDebounce()).isEqualTo(Duration.ofSeconds(90));
    assertThat(s.maxItemSize()).isEqualTo(512 * 1024);
    assertThat(s.sync()).isTrue();
    assertThat(s.length()).isEqualTo(10);
    assertThat(s.durability()).isEqualTo(Durability.none());
    assertThat(QueueSettings.builder().set(Setting.DURABILITY, "Replica").build().durability())
        .isEqualTo(Durability.replicas(1)).hasToString("replica");
    assertThat(QueueSettings.builder().set(Setting.DURABILITY, "replicas=2").build().durability())
        .hasToString("replicas=2").extracting(Durability::replicas).isEqualTo(2);
    assertThat(QueueSettings.builder().set(Setting.DURABILITY, "AOF").build().durability().mode())
        .isEqualTo(Durability.Mode.AOF);
    assertThatThrownBy(() -> QueueSettings.builder().set(Setting.DURABILITY, "fsync"))
        .hasMessage("DURABILITY=fsync is not a durability: write none, aof, replica or replicas=N");
    assertThatThrownBy(() -> QueueSettings.builder().set(Setting.LENGTH, "ten"))
        .hasMessage("LENGTH=ten is not a whole number");
    assertThatThrownBy(() -> QueueSettings.builder().set(Setting.PUSH_TIMEOUT, "5"))
        .hasMessageStartingWith("PUSH_TIMEOUT=5 is not a duration");
    assertThatThrownBy(() -> QueueSettings.builder().set(Setting.CONSUMER_TIMEOUT, "500ms"))
        .hasMessageContaining("CONSUMER_TIMEOUT=500ms").hasMessageContaining("at least 1s");
    assertThatThrownBy(() -> QueueSettings.builder().retryDelay(Duration.ofMinutes(10)).build())
        .hasMessageContaining("RETRY_DELAY_MAX=5m").hasMessageContaining("RETRY_DELAY=10m");
  }

  @Test
  void everySettingRoundTripsThroughItsText() {
    QueueSettings s = QueueSettings.builder().type("redis").connStr("redis://u:secret@h:6379/0")
        .batchDebounce(Duration.ofMillis(250)).durability(Durability.replicas(3)).retryDelayMax(Duration.ofMinutes(90)).build();
    QueueSettings.Builder copy = QueueSettings.builder();
    for (Setting key : Setting.values()) {
      copy.set(key, s.text(key));
    }
    assertThat(copy.build()).isEqualTo(s);
    assertThat(s.toString()).doesNotContain("secret").contains("u:****@h");
  }

  @Test
  void closestKeySuggestsTheIntendedOne() {
    assertThat(Setting.closest("BATCH_LENGHT")).contains(Setting.BATCH_LENGTH);
    assertThat(Setting.closest("max_worker")).contains(Setting.MAX_WORKERS);
    assertThat(Setting.closest("CONN_STRING")).contains(Setting.CONN_STR);
    assertThat(Setting.closest("ISSUE_INDEXER_QUEUE_TYPE")).as("too far to be a typo").isEmpty();
    assertThat(Setting.byKey("length")).contains(Setting.LENGTH);
  }

  @Test
  void connStringPasswordsAreMasked() {
    assertThat(ConnStrings.mask("redis://user:pa55@127.0.0.1:6379/0?pool_size=1"))
        .isEqualTo("redis://user:****@127.0.0.1:6379/0?pool_size=1");
    assertThat(ConnStrings.mask("network=tcp,addr=127.0.0.1:6379,password=pa55,db=0"))
        .isEqualTo("network=tcp,addr=127.0.0.1:6379,password=****,db=0");
    assertThat(ConnStrings.mask("redis+sentinel://h:26379/0?sentinelpassword=x&mastername=m"))
        .isEqualTo("redis+sentinel://h:26379/0?sentinelpassword=****&mastername=m");
  }

  /**
   * GLOBAL_MAX_WORKERS: 0 (off) by default, a negative value is an error naming key and value,
   * and opening a queue whose backend does not enforce it refuses it, naming queue, value and
   * type (FakeBackends, like the real ones, enforces it for redis only).
   */
  @Test
  void globalMaxWorkersIsOffByDefaultAndRefusedWhereNotEnforced() {
    assertThat(QueueSettings.defaults().globalMaxWorkers()).isZero();
    assertThatThrownBy(() -> QueueSettings.builder().set(Setting.GLOBAL_MAX_WORKERS, "-1"))
        .isInstanceOf(QueueConfigException.class).hasMessageContaining("GLOBAL_MAX_WORKERS")
        .hasMessageContaining("-1");
    java.util.concurrent.ScheduledExecutorService scheduler =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    io.queuekit.spi.BaseQueues backends = io.queuekit.spi.BaseQueues.load();
    QueueSettings capped = QueueSettings.builder().type("level").globalMaxWorkers(2).build();
    assertThatThrownBy(() -> backends.create("level", new io.queuekit.spi.BaseQueueConfig(
        "mail", capped, false, java.time.Clock.systemUTC(), scheduler, java.nio.file.Path.of("."))))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("queue \"mail\"").hasMessageContaining("GLOBAL_MAX_WORKERS=2")
        .hasMessageContaining("TYPE=level");
    assertThat(backends.create("redis", new io.queuekit.spi.BaseQueueConfig("mail",
        capped.toBuilder().type("redis").build(), false, java.time.Clock.systemUTC(), scheduler,
        java.nio.file.Path.of(".")))).isNotNull();
    scheduler.shutdownNow();
  }

  @Test
  void durabilityIsRefusedWhereNotHonoured() {
    java.util.concurrent.ScheduledExecutorService scheduler =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    io.queuekit.spi.BaseQueues backends = io.queuekit.spi.BaseQueues.load();
    QueueSettings durable = QueueSettings.builder().type("level")
        .durability(Durability.parse("aof")).build();
    assertThatThrownBy(() -> backends.create("level", new io.queuekit.spi.BaseQueueConfig(
        "mail", durable, false, java.time.Clock.systemUTC(), scheduler, java.nio.file.Path.of("."))))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("queue \"mail\"").hasMessageContaining("DURABILITY=aof")
        .hasMessageContaining("TYPE=level");
    assertThat(backends.create("redis", new io.queuekit.spi.BaseQueueConfig("mail",
        durable.toBuilder().type("redis").build(), false, java.time.Clock.systemUTC(), scheduler,
        java.nio.file.Path.of(".")))).isNotNull();
    scheduler.shutdownNow();
  }

  /** validate refuses what create refuses, and asks the backend, opening nothing. */
  @Test
  void validateRefusesWhatCreateRefusesAndAsksTheBackend() {
    io.queuekit.spi.BaseQueues backends = io.queuekit.spi.BaseQueues.of(java.util.List.of(
        new io.queuekit.spi.BaseQueueFactory() {
          @Override public java.util.Set<String> types() { return java.util.Set.of("level"); }
          @Override public io.queuekit.spi.BaseQueue create(String type, io.queuekit.spi.BaseQueueConfig c) {
            throw new AssertionError("validate opens nothing");
          }
          @Override public void validate(String type, String queue, QueueSettings settings) {
            if (!settings.connStr().isEmpty()) {
              throw new QueueConfigException("queue \"" + queue + "\": CONN_STR=" + settings.connStr() + " refused");
            }
          }
        }));
    QueueSettings level = QueueSettings.builder().type("level").build();
    backends.validate("mail", level);
    assertThatThrownBy(() -> backends.validate("mail", level.toBuilder().globalMaxWorkers(2).build()))
        .isInstanceOf(QueueConfigException.class).hasMessageContaining("GLOBAL_MAX_WORKERS=2");
    assertThatThrownBy(() -> backends.validate("mail", level.toBuilder().durability(Durability.parse("aof")).build()))
        .isInstanceOf(QueueConfigException.class).hasMessageContaining("DURABILITY=aof");
    assertThatThrownBy(() -> backends.validate("mail", level.toBuilder().connStr("x").build()))
        .isInstanceOf(QueueConfigException.class).hasMessage("queue \"mail\": CONN_STR=x refused");
  }
}
