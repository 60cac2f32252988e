package io.queuekit.ini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.QueueConfigException;
import io.queuekit.QueueSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolution order and loading, as Gitea's {@code GetQueueSettings} and {@code TestManager}. */
class IniQueueConfigTest {

  private static QueueSettings settings(String text, String queue) {
    return IniQueueConfig.parse(text, "app.ini").settings(queue);
  }

  @Test
  void emptyFileGivesTheBuiltInDefaults() {
    QueueSettings s = settings("", "default");
    assertThat(s).isEqualTo(QueueSettings.defaults());
    assertThat(s.type()).isEqualTo("level");
    assertThat(s.length()).isEqualTo(100_000);
    assertThat(s.connStr()).isEmpty();
    assertThat(s.queueFullName("default")).isEqualTo("default_queue");
    assertThat(s.setFullName("default")).isEqualTo("default_queue_unique");
  }

  @Test
  void queueSectionThenNamedSectionAsInGiteasTestManager() {
    String ini = "[queue]\nDATADIR = temp-dir\nCONN_STR = leveldb://temp-dir\nLENGTH = 12\n"
        + "QUEUE_NAME = _q1\n[queue.sub]\nMAX_WORKERS = 123\nCONN_STR =\nSET_NAME = _u2\n";
    IniQueueConfig config = IniQueueConfig.parse(ini, "app.ini");
    QueueSettings sub = config.settings("sub");
    assertThat(sub.dataDir()).isEqualTo("temp-dir");
    assertThat(sub.connStr()).isEmpty(); // explicit empty CONN_STR overrides [queue]
    assertThat(sub.length()).isEqualTo(12);
    assertThat(sub.maxWorkers()).isEqualTo(123);
    assertThat(sub.queueFullName("sub")).isEqualTo("sub_q1");
    assertThat(sub.setFullName("sub")).isEqualTo("sub_q1_u2");
    QueueSettings other = config.settings("other");
    assertThat(other.connStr()).isEqualTo("leveldb://temp-dir");
    assertThat(other.setFullName("other")).isEqualTo("other_q1_unique");
    assertThat(config.configuredQueues()).containsExactly("sub");
  }

  @Test
  void emptyValuesOtherThanConnStrInherit() {
    QueueSettings s = settings("[queue]\nLENGTH = 7\nTYPE = channel\nDATADIR = d\n[queue.x]\n"
        + "LENGTH =\nTYPE =\nDATADIR =\n", "x");
    assertThat(s.length()).isEqualTo(7);
    assertThat(s.type()).isEqualTo("channel");
    assertThat(s.dataDir()).isEqualTo("d");
  }

  @Test
  void goDurationsAliasesAndNonPositiveFallbacks() {
    QueueSettings s = settings("[queue.x]\nBATCH_DEBOUNCE = 1m30s\nTYPE = persistable-channel\n"
        + "LENGTH = 0\nBATCH_LENGTH = -3\nMAX_WORKERS = 0\nSYNC = on\nMAX_ITEM_SIZE = 2MiB\n", "x");
    assertThat(s.batchDebounce()).isEqualTo(Duration.ofSeconds(90));
    assertThat(s.type()).isEqualTo("level");
    assertThat(s.length()).isEqualTo(100_000);
    assertThat(s.batchLength()).isEqualTo(20);
    assertThat(s.maxWorkers()).isEqualTo(QueueSettings.defaults().maxWorkers());
    assertThat(s.sync()).isTrue();
    assertThat(s.maxItemSize()).isEqualTo(2 << 20);
  }

  @Test
  void valuesKeepGoIniQuotingAndInlineComments() {
    QueueSettings s = settings("[queue]\nTYPE = redis ; shared\n"
        + "CONN_STR = `redis://:pa;ss@h:6379/0`\n", "x");
    assertThat(s.type()).isEqualTo("redis");
    assertThat(s.connStr()).isEqualTo("redis://:pa;ss@h:6379/0");
  }

  @Test
  void nestedSectionInheritsFromItsParentOnlyWhenItExists() {
    String ini = "[queue.a]\nLENGTH = 5\n[queue.a.b]\nBATCH_LENGTH = 3\n";
    assertThat(settings(ini, "a.b").length()).isEqualTo(5);
    assertThat(settings(ini, "a.b").batchLength()).isEqualTo(3);
    assertThat(settings(ini, "a.c").length()).isEqualTo(100_000);
  }

  @Test
  void taskQueueHasGiteasDefaultsBelowQueue() {
    assertThat(settings("", "task").length()).isEqualTo(1000);
    assertThat(settings("", "task").type()).isEqualTo("level");
    assertThat(settings("", "mail").length()).isEqualTo(100_000);
    assertThat(settings("[queue]\nLENGTH = 50\n", "task").length()).isEqualTo(50);
    assertThat(settings("[task]\nQUEUE_LENGTH = 70\n[queue]\nLENGTH = 50\n", "task").length())
        .isEqualTo(50);
    assertThat(settings("[task]\nQUEUE_LENGTH = 70\n[queue.task]\nLENGTH = 9\n", "task").length())
        .isEqualTo(9);
  }

  /**
   * Gitea's {@code loadTaskFrom} writes {@code [task] QUEUE_TYPE}'s default into {@code
   * [queue.task]} with go-ini's {@code MustString}, which sees {@code [queue]}'s TYPE through the
   * child-section lookup and so writes nothing: {@code [queue]} wins, {@code [queue.task]} beats
   * both.
   */
  @Test
  void taskQueueTypeFromTaskSectionIsShadowedByQueueAsInGitea() {
    String ini = "[queue]\nTYPE = channel\n[task]\nQUEUE_TYPE = redis\n";
    assertThat(settings(ini, "task").type()).isEqualTo("channel");
    assertThat(settings(ini + "[queue.task]\nTYPE = redis\n", "task").type())
        .isEqualTo("redis");
    assertThat(settings("[task]\nQUEUE_TYPE = redis\n", "task").type()).isEqualTo("redis");
  }

  @Test
  void taskSectionSuppliesTypeAndConnStrWithAWarning() {
    IniQueueConfig config = IniQueueConfig.parse(
        "[task]\nQUEUE_TYPE = redis\nQUEUE_LENGTH = 70\n", "app.ini");
    QueueSettings task = config.settings("task");
    assertThat(task.type()).isEqualTo("redis");
    assertThat(task.connStr()).isEqualTo("addrs=127.0.0.1:6379 db=0"); // Gitea's default

    assertThat(task.length()).isEqualTo(70);
    assertThat(config.settings("mail").type()).isEqualTo("level");
    assertThat(config.findings()).extracting(Finding::location)
        .containsExactly("app.ini:2 [task] QUEUE_TYPE", "app.ini:3 [task] QUEUE_LENGTH");
  }

  @Test
  void badValueFailsLoadingNamingFileLineSectionKeyAndValue() {
    assertThatThrownBy(() -> IniQueueConfig.parse("[queue]\nTYPE = redis\n[queue.mail]\n"
        + "LENGTH = ten\n", "custom/app.ini"))
        .isInstanceOf(QueueConfigException.class)
        .hasMessage("custom/app.ini:4 [queue.mail] LENGTH: LENGTH=ten is not a whole number; fix:"
            + " write a valid LENGTH: waiting items before push waits for room (≤ 0: default)");
  }

  @Test
  void removedOptionsLogOneErrorEachThenFailWithOneSummary() {
    String ini = "[indexer]\nISSUE_INDEXER_QUEUE_TYPE = redis\n"
        + "ISSUE_INDEXER_QUEUE_CONN_STR = addrs=h:6379 password=hunter2 db=0\n"
        + "[mailer]\nSEND_BUFFER_LEN = 10\n";
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    Throwable thrown;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      thrown = org.assertj.core.api.Assertions.catchThrowable(
          () -> IniQueueConfig.parse(ini, "app.ini"));
    } finally {
      System.setErr(err);
    }
    assertThat(thrown).isInstanceOf(QueueConfigException.class).hasMessage(
        "app.ini: 3 errors in the queue configuration (run config-migrator check app.ini to list"
            + " them; config-migrator migrate moves removed options):\n"
            + "  app.ini:2 [indexer] ISSUE_INDEXER_QUEUE_TYPE: removed queue option [indexer]"
            + " ISSUE_INDEXER_QUEUE_TYPE = redis: Gitea 1.20+ and queuekit refuse to start while it"
            + " is set; use [queue.issue_indexer] TYPE; fix: move it to [queue.issue_indexer] as"
            + " TYPE = redis (config-migrator migrate does this)\n"
            + "  app.ini:3 [indexer] ISSUE_INDEXER_QUEUE_CONN_STR: removed queue option [indexer]"
            + " ISSUE_INDEXER_QUEUE_CONN_STR = addrs=h:6379 password=**** db=0: Gitea 1.20+ and"
            + " queuekit refuse to start while it is set; use [queue.issue_indexer] CONN_STR; fix:"
            + " move it to [queue.issue_indexer] as CONN_STR = addrs=h:6379 password=**** db=0"
            + " (config-migrator migrate does this)\n"
            + "  app.ini:5 [mailer] SEND_BUFFER_LEN: removed queue option [mailer] SEND_BUFFER_LEN"
            + " = 10: Gitea 1.20+ and queuekit refuse to start while it is set; use [queue.mail]"
            + " LENGTH; fix: move it to [queue.mail] as LENGTH = 10 (config-migrator migrate does"
            + " this)");
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log.lines().filter(l -> l.contains("ERROR") && l.contains("removed queue option")))
        .hasSize(3);
    assertThat(log).doesNotContain("hunter2");
  }

  @Test
  void warningsAreLoggedAndKept() {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    IniQueueConfig config;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      config = IniQueueConfig.parse("[queue]\nWORKERS = 3\n", "app.ini");
    } finally {
      System.setErr(err);
    }
    assertThat(config.findings()).hasSize(1);
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("WARN").contains("app.ini:2 [queue] WORKERS: WORKERS = 3 has no effect");
  }

  @Test
  void loadReadsAFileAndNamesItInErrors(@TempDir Path dir) throws Exception {
    Path ini = dir.resolve("app.ini");
    Files.writeString(ini, "[queue]\r\nLENGTH = 33\r\n");
    assertThat(IniQueueConfig.load(ini).settings("x").length()).isEqualTo(33);
    Files.writeString(ini, "[queue]\nLENGTH = x\n");
    assertThatThrownBy(() -> IniQueueConfig.load(ini)).hasMessageStartingWith(ini + ":2 [queue]");
    Path missing = dir.resolve("missing.ini");
    assertThatThrownBy(() -> IniQueueConfig.load(missing))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageStartingWith("cannot read the queue configuration " + missing)
        .hasCauseInstanceOf(java.nio.file.NoSuchFileException.class);
  }

  @Test
  void aFileThatIsNotUtf8IsRefusedNamingFileLineAndByteNotReadAsAnotherDirectory(
      @TempDir Path dir) throws Exception {
    Path ini = dir.resolve("app.ini");
    Files.write(ini, "[queue]\nDATADIR = queues/caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> IniQueueConfig.load(ini))
        .isInstanceOf(IniEncodingException.class)
        .hasMessageStartingWith(ini + ":2: byte 0xE9 at column 21 (byte offset 28 of the file) is"
            + " not UTF-8");
    Files.write(ini, "[queue.m\u00e9l]\nLENGTH = 5\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> IniQueueConfig.load(ini))
        .hasMessageStartingWith(ini + ":1: byte 0xE9 at column 9");
    Files.write(ini, "[queue]\nLENGTH = 5\0\n".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> IniQueueConfig.load(ini))
        .isInstanceOf(IniEncodingException.class)
        .hasMessageStartingWith(ini + ":2: a NUL byte (0x00) at column 11");
  }

  @Test
  void startUpNamesEveryErrorOfTheFileInOneMessage() {
    assertThatThrownBy(() -> IniQueueConfig.parse("[queue]\nMAX_WORKERS = abc\n[queue.mail]\n"
        + "TYPE = channel\nGLOBAL_MAX_WORKERS = 4\n", "app.ini"))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageStartingWith("app.ini: 2 errors in the queue configuration")
        .hasMessageContaining("\n  app.ini:2 [queue] MAX_WORKERS: MAX_WORKERS=abc")
        .hasMessageContaining("\n  app.ini:5 [queue.mail] GLOBAL_MAX_WORKERS:");
  }

  @Test
  void unparseableLineFailsWithFileLineAndText() {
    assertThatThrownBy(() -> IniQueueConfig.parse("[queue]\nTYPE redis\n", "app.ini"))
        .isInstanceOf(IniParseException.class)
        .hasMessage("app.ini:2: key-value delimiter not found: `TYPE redis`");
  }

  @Test
  void settingsOfANameWhoseNestedParentHoldsABadValueNamesWhere() {
    // Loading checks every section's values, so this can only come from a nested parent that is
    // checked as a section too: the bad value fails the load first.
    assertThatThrownBy(() -> IniQueueConfig.parse("[queue.a]\nLENGTH = z\n[queue.a.b]\n",
        "app.ini")).hasMessageContaining("app.ini:2 [queue.a] LENGTH");
  }

  @Test
  void aQueueManagerTakesItAsItsConfig() {
    IniQueueConfig config = IniQueueConfig.parse("[queue]\nTYPE = channel\n[queue.mail]\n"
        + "LENGTH = 42\n", "app.ini");
    try (io.queuekit.QueueManager manager = io.queuekit.QueueManager.builder().config(config)
        .build()) {
      assertThat(manager.settings("mail").length()).isEqualTo(42);
      assertThat(manager.settings("mail").type()).isEqualTo("channel");
      assertThat(manager.settings("task").length()).isEqualTo(1000);
    }
  }
}
