package io.queuekit.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.QueueSettings;
import io.queuekit.ini.ConfigCheck;
import io.queuekit.ini.IniFile;
import io.queuekit.ini.IniQueueConfig;
import io.queuekit.ini.OldOption;
import io.queuekit.migrator.Migration.Kind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link Migration}: what moves where, what is converted, and that nothing else changes. */
class MigrationTest {

  private static Migration.Result migrate(String text) {
    return Migration.run(IniFile.parse(text, "app.ini"));
  }

  @ParameterizedTest
  @EnumSource(value = OldOption.class, names = "TASK_.*", mode = EnumSource.Mode.MATCH_NONE)
  void eachRemovedOptionMovesToItsReplacement(OldOption o) {
    String value = o == OldOption.ISSUE_INDEXER_QUEUE_TYPE ? "redis"
        : o == OldOption.ISSUE_INDEXER_QUEUE_DIR ? "indexers/issues.queue"
        : o == OldOption.ISSUE_INDEXER_QUEUE_CONN_STR ? "leveldb:///var/lib/q" : "50";
    String before = "; head\n[" + o.section() + "]\nKEEP = 1\n" + o.key() + " = " + value
        + "\n; tail\n";
    Migration.Result r = migrate(before);
    assertThat(r.after().text()).isEqualTo("; head\n[" + o.section() + "]\nKEEP = 1\n; tail\n\n["
        + o.newSection() + "]\n" + o.newKey().key() + " = " + value + "\n");
    assertThat(r.steps()).extracting(Migration.Step::kind).containsExactly(Kind.MOVED);
    assertThat(r.steps().get(0).line()).isEqualTo(4);
    assertThat(r.steps().get(0).description()).isEqualTo("app.ini:4 [" + o.section() + "] "
        + o.key() + " = " + value + " -> [" + o.newSection() + "] " + o.newKey().key() + " = "
        + value);
    assertThat(ConfigCheck.run(r.after())).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void aCrlfFileWithoutAFinalNewlineWhoseLastLineIsRemovedKeepsEveryOtherLinesEnding() {
    String before = "; head\r\n[mailer]\r\nKEEP = 1\r\nSEND_BUFFER_LEN = 5";
    Migration.Result r = migrate(before);
    assertThat(r.after().text()).startsWith("; head\r\n[mailer]\r\nKEEP = 1\r\n")
        .contains("[queue.mail]").doesNotContain("SEND_BUFFER_LEN");
    assertThat(r.after().text().replace("\r\n", "")).as("every line break stays CRLF")
        .doesNotContain("\n");
    // deleted rather than moved (it sets nothing): the line before it becomes the last one
    for (String last : new String[] {"SEND_BUFFER_LEN =", "UPDATE_BUFFER_LEN = 20"}) {
      String section = last.startsWith("SEND") ? "[mailer]" : "[indexer]";
      Migration.Result d = migrate("; head\r\n" + section + "\r\nKEEP = 1\r\n" + last);
      assertThat(d.after().text()).as(last).startsWith("; head\r\n" + section + "\r\nKEEP = 1");
      assertThat(d.after().text().replace("\r\n", "")).as(last + ": " + d.after().text())
          .doesNotContain("\n").doesNotContain("\r");
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "unique-level | level",
      "unique-channel | channel",
      "unique-redis | redis",
      "persistable-channel | level",
      "unique-persistable-channel | level",
      "wrapped | level",
  })
  void oldGiteaTypeNamesAreRewrittenInPlace(String old, String type) {
    String before = "; head\r\n[queue.mail]\r\nTYPE   = " + old + " ; was set in 1.17\r\nLENGTH = 5\r\n";
    Migration.Result r = migrate(before);
    assertThat(r.after().text()).isEqualTo(
        "; head\r\n[queue.mail]\r\nTYPE   = " + type + " ; was set in 1.17\r\nLENGTH = 5\r\n");
    assertThat(r.steps()).singleElement().satisfies(st -> {
      assertThat(st.kind()).isEqualTo(Kind.CONVERTED);
      assertThat(st.line()).isEqualTo(3);
      assertThat(st.description()).contains(old).contains("TYPE = " + type);
    });
    assertThat(ConfigCheck.run(r.after())).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "levelqueue | level",
      "channel | level", // the old channel type was persistable: LevelDB-backed
      "redis | redis",
  })
  void oldIssueIndexerTypesBecomeQueueTypes(String old, String type) {
    Migration.Result r = migrate("[indexer]\nISSUE_INDEXER_QUEUE_TYPE = " + old + "\n");
    assertThat(r.after().entry("queue.issue_indexer", "TYPE").orElseThrow().value())
        .isEqualTo(type);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "QUEUE_TYPE = redis | TYPE = redis",
      "QUEUE_TYPE = channel | TYPE = level",
      "QUEUE_LENGTH = 77 | LENGTH = 77",
  })
  void eachTaskOptionMovesToQueueTask(String old, String replacement) {
    Migration.Result r = migrate("[task]\n" + old + "\n");
    assertThat(r.after().text()).isEqualTo("[task]\n\n[queue.task]\n" + replacement + "\n");
    assertThat(ConfigCheck.run(r.after())).isEmpty();
  }

  @Test
  void taskConnStrMovesConverted() {
    Migration.Result r = migrate("[task]\nQUEUE_TYPE = redis\n"
        + "QUEUE_CONN_STR = network=tcp,addr=10.0.0.5:6379,password=pw,db=2\n");
    assertThat(r.after().text()).isEqualTo("[task]\n\n[queue.task]\nTYPE = redis\n"
        + "CONN_STR = redis://:pw@10.0.0.5:6379/2\n");
    assertThat(r.steps().get(1).description()).contains("password=****")
        .contains("redis://:****@10.0.0.5:6379/2").doesNotContain("pw@");
  }

  @Test
  void taskMigrationKeepsWhatTheTaskQueueResolvesTo() {
    String[] files = {
        "[task]\nQUEUE_TYPE = redis\nQUEUE_LENGTH = 70\n",
        "[task]\nQUEUE_TYPE = redis\nQUEUE_CONN_STR = addrs=h:1 db=3\n[queue]\nLENGTH = 9\n",
        "[task]\nQUEUE_TYPE = channel\nQUEUE_LENGTH = 5\n[queue]\nTYPE = redis\n",
        "[task]\nQUEUE_TYPE = level\nQUEUE_CONN_STR = leveldb:///x\n",
        "[task]\nQUEUE_LENGTH =\n",
    };
    for (String f : files) {
      Migration.Result r = migrate(f);
      QueueSettings before = redisDefault(IniQueueConfig.of(r.before()).settings("task"));
      QueueSettings after = redisDefault(IniQueueConfig.of(r.after()).settings("task"));
      assertThat(after).as(f).isEqualTo(before);
      assertThat(r.after().section("task").orElseThrow().entries()).as(f).isEmpty();
    }
  }

  /** An empty redis CONN_STR is what the redis backend reads as redis://127.0.0.1:6379/0. */
  private static QueueSettings redisDefault(QueueSettings s) {
    return s.type().equals("redis") && s.connStr().isEmpty()
        ? s.toBuilder().connStr("redis://127.0.0.1:6379/0").build() : s;
  }

  @Test
  void taskOptionThatSetsNothingIsDeletedWithTheReason() {
    Migration.Result r = migrate("[queue]\nTYPE = redis\n[task]\nQUEUE_TYPE = channel\n");
    assertThat(r.after().text()).isEqualTo("[queue]\nTYPE = redis\n[task]\n");
    assertThat(r.steps()).singleElement().satisfies(s -> {
      assertThat(s.kind()).isEqualTo(Kind.DELETED);
      assertThat(s.description()).isEqualTo("app.ini:4 [task] QUEUE_TYPE = channel: it set"
          + " nothing ([queue] TYPE = redis (line 2) is the task queue's TYPE too: Gitea's"
          + " loadTaskFrom writes [task]'s default into [queue.task] only where go-ini finds no"
          + " TYPE, and go-ini looks a key [queue.task] lacks up in [queue]); if the task queue"
          + " should have TYPE = level, write [queue.task] TYPE = level");
    });
  }

  /**
   * The operator's file: Gitea runs the task queue as level ({@code [queue]} shadows {@code [task]
   * QUEUE_TYPE = redis}) with the Redis string as its CONN_STR, and so does the migrated file. The
   * deletion says which key would make the task queue redis; doing so leaves nothing to fix.
   */
  @Test
  void taskRedisTypeShadowedByQueueIsDeletedNamingTheKeyThatWouldKeepIt() {
    String text = "[queue]\nTYPE = level\n[task]\nQUEUE_TYPE = redis\n"
        + "QUEUE_CONN_STR = redis://127.0.0.1:16399/0\n";
    Migration.Result r = migrate(text);
    assertThat(r.after().text()).isEqualTo("[queue]\nTYPE = level\n[task]\n\n[queue.task]\n"
        + "CONN_STR = redis://127.0.0.1:16399/0\n");
    assertThat(r.steps()).extracting(Migration.Step::kind)
        .containsExactly(Kind.DELETED, Kind.MOVED);
    assertThat(r.steps().get(0).description()).startsWith("app.ini:4 [task] QUEUE_TYPE = redis:"
        + " it set nothing ([queue] TYPE = level (line 2) is the task queue's TYPE too")
        .endsWith("; if the task queue should have TYPE = redis, write [queue.task] TYPE = redis");
    assertThat(IniQueueConfig.parse(text.replace("[task]", "[queue.task]\nTYPE = redis\n[task]"),
        "app.ini").settings("task").type()).isEqualTo("redis");
    Migration.Result hinted = migrate(
        text.replace("[task]", "[queue.task]\nTYPE = redis\n[task]"));
    assertThat(hinted.steps()).extracting(Migration.Step::kind)
        .containsExactly(Kind.DELETED, Kind.MOVED);
    assertThat(hinted.steps().get(0).description())
        .endsWith("[queue.task] TYPE = redis (line 4) already says the same");
    assertThat(ConfigCheck.run(hinted.after())).isEmpty();
  }

  @Test
  void removedOptionWithEmptyValueIsDeleted() {
    Migration.Result r = migrate("[mailer]\nSEND_BUFFER_LEN =\n");
    assertThat(r.after().text()).isEqualTo("[mailer]\n");
    assertThat(r.steps()).extracting(Migration.Step::kind).containsExactly(Kind.DELETED);
  }

  @Test
  void existingNewKeyIsNeverOverwrittenAConflictIsReported() {
    String text = "[indexer]\nUPDATE_BUFFER_LEN = 20\n[queue.issue_indexer]\nLENGTH = 500\n";
    Migration.Result r = migrate(text);
    assertThat(r.after().text()).isEqualTo(text);
    assertThat(r.changed()).isFalse();
    assertThat(r.conflicts()).singleElement().satisfies(s -> assertThat(s.description())
        .isEqualTo("app.ini:2 [indexer] UPDATE_BUFFER_LEN = 20 not moved: [queue.issue_indexer]"
            + " LENGTH = 500 (line 4) is already set, and the old option would make it 20; keep"
            + " the one you want and delete the other"));
  }

  /** What check advises for an old option is what migrate then does: one decision for both. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "[indexer]%nUPDATE_BUFFER_LEN = 50%n[queue.issue_indexer]%nLENGTH = 100%n | CONFLICT",
      "[indexer]%nUPDATE_BUFFER_LEN = 50%n[queue.issue_indexer]%nLENGTH = 50%n | DELETED",
      "[indexer]%nUPDATE_BUFFER_LEN = 50%n | MOVED",
      "[indexer]%nUPDATE_BUFFER_LEN =%n | DELETED",
      "[queue.task]%nTYPE = level%n[task]%nQUEUE_TYPE = redis%n | CONFLICT",
      "[indexer]%nISSUE_INDEXER_QUEUE_TYPE = redis%nISSUE_INDEXER_QUEUE_CONN_STR = leveldb:///q%n"
          + " | CONFLICT",
  })
  void checksAdviceForAnOldOptionMatchesWhatMigrateDoes(String text, Kind kind) {
    String file = text.replace("%n", "\n");
    Migration.Result r = migrate(file);
    assertThat(r.steps()).extracting(Migration.Step::kind).last().isEqualTo(kind);
    String fix = ConfigCheck.run(IniFile.parse(file, "app.ini")).stream()
        .filter(f -> f.key() != null && !f.section().startsWith("queue"))
        .reduce((a, b) -> b).orElseThrow().fix();
    switch (kind) {
      case MOVED -> assertThat(fix).startsWith("move it to")
          .endsWith("(config-migrator migrate does this)");
      case DELETED -> assertThat(fix).startsWith("delete the line").doesNotContain("conflict");
      default -> assertThat(fix).doesNotContain("move it to").doesNotContain("migrate does this")
          .satisfiesAnyOf(f -> assertThat(f).contains("reports a conflict"),
              f -> assertThat(f).startsWith("write a CONN_STR the queue can use"));
    }
  }

  @Test
  void aShadowedDuplicateOfAnOldOptionIsNamedWhenItIsDeleted() {
    Migration.Result r = migrate("[indexer]\nUPDATE_BUFFER_LEN = 50\nUPDATE_BUFFER_LEN = 70\n");
    assertThat(r.after().text()).isEqualTo("[indexer]\n\n[queue.issue_indexer]\nLENGTH = 70\n");
    assertThat(r.steps()).extracting(Migration.Step::kind, Migration.Step::line).containsExactly(
        org.assertj.core.groups.Tuple.tuple(Kind.DELETED, 2),
        org.assertj.core.groups.Tuple.tuple(Kind.MOVED, 3));
    assertThat(r.steps().get(0).description()).isEqualTo("app.ini:2 [indexer] UPDATE_BUFFER_LEN"
        + " = 50: deleted with line 3, which sets UPDATE_BUFFER_LEN again: go-ini (and so Gitea)"
        + " reads only the last one");
    // a conflict deletes nothing, so it names nothing more
    Migration.Result c = migrate("[indexer]\nUPDATE_BUFFER_LEN = 50\nUPDATE_BUFFER_LEN = 70\n"
        + "[queue.issue_indexer]\nLENGTH = 1\n");
    assertThat(c.changed()).isFalse();
    assertThat(c.steps()).extracting(Migration.Step::kind).containsExactly(Kind.CONFLICT);
  }

  @Test
  void existingNewKeyWithTheSameMeaningJustDeletesTheOldOne() {
    Migration.Result r = migrate("[indexer]\nISSUE_INDEXER_QUEUE_TYPE = levelqueue\n"
        + "ISSUE_INDEXER_QUEUE_CONN_STR = addrs=h:1 db=0\n[queue.issue_indexer]\nTYPE = leveldb\n"
        + "CONN_STR = redis://h:1/0\n");
    assertThat(r.after().text())
        .isEqualTo("[indexer]\n[queue.issue_indexer]\nTYPE = leveldb\nCONN_STR = redis://h:1/0\n");
    assertThat(r.steps()).extracting(Migration.Step::kind)
        .containsExactly(Kind.DELETED, Kind.DELETED);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "addrs=127.0.0.1:6379 db=0 | redis://127.0.0.1:6379/0",
      "\"addrs=127.0.0.1:6379 db=0\" | redis://127.0.0.1:6379/0",
      "network=tcp,addr=h:6379,password=secret,db=2 | redis://:secret@h:6379/2",
      "addrs=a:1,b:2 db=0 | redis+cluster://a:1,b:2/0",
      "network=unix,addr=/run/redis.sock,db=1 | redis+socket:///run/redis.sock?db=1",
  })
  void oldFormConnStrIsRewrittenInPlace(String old, String uri) {
    String text = "[queue]\r\nTYPE = redis\r\n  CONN_STR   =  " + old + "   ; ours\r\n"
        + "[queue.mail]\r\nCONN_STR: " + old + "\r\nLENGTH = 1";
    Migration.Result r = migrate(text);
    assertThat(r.after().text()).isEqualTo("[queue]\r\nTYPE = redis\r\n  CONN_STR   =  " + uri
        + "   ; ours\r\n[queue.mail]\r\nCONN_STR: " + uri + "\r\nLENGTH = 1");
    assertThat(r.steps()).extracting(Migration.Step::kind)
        .containsExactly(Kind.CONVERTED, Kind.CONVERTED);
    assertThat(ConfigCheck.run(r.after())).isEmpty();
  }

  @Test
  void inlineCommentMovesWithTheOptionAndCommentsAboveStay() {
    Migration.Result r = migrate("[mailer]\n; mail buffer\nSEND_BUFFER_LEN = 100 ; tuned\n");
    assertThat(r.after().text())
        .isEqualTo("[mailer]\n; mail buffer\n\n[queue.mail]\nLENGTH = 100 ; tuned\n");
  }

  @Test
  void newKeysJoinAnExistingSectionInItsStyle() {
    Migration.Result r = migrate("[queue.mail]\n  BATCH_LENGTH=5\n\n[mailer]\nSEND_BUFFER_LEN=9\n");
    assertThat(r.after().text())
        .isEqualTo("[queue.mail]\n  BATCH_LENGTH=5\n  LENGTH=9\n\n[mailer]\n");
  }

  @Test
  void repeatedOldKeyMovesItsLastValueAndAllCopiesGo() {
    Migration.Result r = migrate("[mailer]\nSEND_BUFFER_LEN = 1\nSEND_BUFFER_LEN = 2\n");
    assertThat(r.after().text()).isEqualTo("[mailer]\n\n[queue.mail]\nLENGTH = 2\n");
  }

  @Test
  void nothingToDoLeavesTheFileAlone() {
    String text = "[queue]\nTYPE = redis\nWORKERS = 3\n";
    Migration.Result r = migrate(text);
    assertThat(r.changed()).isFalse();
    assertThat(r.after().toBytes()).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Every removed option in a file with CRLF, one LF line, odd spacing and no final newline. */
  static final String EVERYTHING = "; app.ini from an old Gitea\r\n"
      + "APP_NAME = Gitea: Git with a cup of tea\r\n"
      + "RUN_MODE=prod\n"
      + "\r\n"
      + "[indexer]\r\n"
      + "; the issue indexer's queue\r\n"
      + "ISSUE_INDEXER_TYPE = bleve\r\n"
      + "ISSUE_INDEXER_QUEUE_TYPE = redis\r\n"
      + "ISSUE_INDEXER_QUEUE_DIR   =   indexers/issues.queue   ; relative\r\n"
      + "ISSUE_INDEXER_QUEUE_CONN_STR = \"addrs=127.0.0.1:6379 password=hunter2 db=0\"\r\n"
      + "ISSUE_INDEXER_QUEUE_BATCH_NUMBER=20\r\n"
      + "UPDATE_BUFFER_LEN: 20\r\n"
      + "\r\n"
      + "[mailer]\r\n"
      + "ENABLED = true\r\n"
      + "SEND_BUFFER_LEN = 100 # old default\r\n"
      + "\r\n"
      + "[repository]\r\n"
      + "ROOT = /var/lib/gitea/repos\r\n"
      + "PULL_REQUEST_QUEUE_LENGTH = 1000\r\n"
      + "MIRROR_QUEUE_LENGTH = 1000\r\n"
      + "\r\n"
      + "[task]\r\n"
      + "QUEUE_TYPE = channel\r\n"
      + "QUEUE_LENGTH = 1000\r\n"
      + "\r\n"
      + "[queue]\r\n"
      + "\tDATADIR = queues/common\r\n"
      + "\r\n"
      + "[queue.mail]\r\n"
      + "BATCH_LENGTH = 10";

  static final String EVERYTHING_MIGRATED = "; app.ini from an old Gitea\r\n"
      + "APP_NAME = Gitea: Git with a cup of tea\r\n"
      + "RUN_MODE=prod\n"
      + "\r\n"
      + "[indexer]\r\n"
      + "; the issue indexer's queue\r\n"
      + "ISSUE_INDEXER_TYPE = bleve\r\n"
      + "\r\n"
      + "[mailer]\r\n"
      + "ENABLED = true\r\n"
      + "\r\n"
      + "[repository]\r\n"
      + "ROOT = /var/lib/gitea/repos\r\n"
      + "\r\n"
      + "[task]\r\n"
      + "\r\n"
      + "[queue]\r\n"
      + "\tDATADIR = queues/common\r\n"
      + "\r\n"
      + "[queue.mail]\r\n"
      + "BATCH_LENGTH = 10\r\n"
      + "LENGTH = 100 # old default\r\n"
      + "\r\n"
      + "[queue.issue_indexer]\r\n"
      + "TYPE = redis\r\n"
      + "BATCH_LENGTH = 20\r\n"
      + "CONN_STR = redis://:hunter2@127.0.0.1:6379/0\r\n"
      + "LENGTH = 20\r\n"
      + "\r\n"
      + "[queue.pr_patch_checker]\r\n"
      + "LENGTH = 1000\r\n"
      + "\r\n"
      + "[queue.mirror]\r\n"
      + "LENGTH = 1000\r\n"
      + "\r\n"
      + "[queue.task]\r\n"
      + "TYPE = level\r\n"
      + "LENGTH = 1000";

  @Test
  void everythingMigratesKeepingEveryOtherByte() {
    Migration.Result r = migrate(EVERYTHING);
    assertThat(r.after().text()).isEqualTo(EVERYTHING_MIGRATED);
    Lines.assertKept(EVERYTHING.getBytes(StandardCharsets.UTF_8), r.after().toBytes(),
        8, 9, 10, 11, 12, 16, 20, 21, 24, 25);
    assertThat(r.conflicts()).isEmpty();
    assertThat(ConfigCheck.run(r.after())).isEmpty();
    assertThat(IniQueueConfig.of(r.after()).settings("task"))
        .isEqualTo(IniQueueConfig.of(IniFile.parse("[task]\nQUEUE_TYPE = channel\n"
            + "QUEUE_LENGTH = 1000\n[queue]\nDATADIR = queues/common\n", "x"))
            .settings("task"));
  }
}
