package io.queuekit.ini;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.ini.Finding.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Each finding {@link ConfigCheck} can report, with its exact wording where operators read it. */
class ConfigCheckTest {

  private static List<Finding> check(String text) {
    return ConfigCheck.run(IniFile.parse(text, "app.ini"));
  }

  private static Finding only(String text) {
    List<Finding> findings = check(text);
    assertThat(findings).hasSize(1);
    return findings.get(0);
  }

  @Test
  void cleanFileHasNoFindings() {
    assertThat(check("; Gitea\nAPP_NAME = x\n[server]\nWORKERS = 4\n[queue]\nTYPE = redis\n"
        + "CONN_STR = redis://:pw@127.0.0.1:6379/0\n[queue.mail]\nLENGTH = 0\nCONN_STR =\n"
        + "TYPE = level\n[queue.code_indexer]\nBATCH_DEBOUNCE = 1m30s\nMAX_ITEM_SIZE = 512KiB\n"))
        .isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = OldOption.class, names = "TASK_.*", mode = EnumSource.Mode.MATCH_NONE)
  void eachRemovedOptionIsAnErrorNamingItsReplacement(OldOption o) {
    Finding f = only("[" + o.section() + "]\n" + o.key() + " = 50\n");
    assertThat(f.severity()).isEqualTo(Severity.ERROR);
    assertThat(f.line()).isEqualTo(2);
    assertThat(f.section()).isEqualTo(o.section());
    assertThat(f.key()).isEqualTo(o.key());
    assertThat(f.message()).isEqualTo("removed queue option [" + o.section() + "] " + o.key()
        + " = 50: Gitea 1.20+ and queuekit refuse to start while it is set; use ["
        + o.newSection() + "] " + o.newKey().key());
    assertThat(f.fix()).isEqualTo("move it to [" + o.newSection() + "] as " + o.newKey().key()
        + " = 50 (config-migrator migrate does this)");
  }

  @Test
  void removedOptionsMapToTheDocumentedKeys() {
    assertThat(OldOption.values()).extracting(o -> "[" + o.section() + "] " + o.key() + " -> ["
        + o.newSection() + "] " + o.newKey().key()).containsExactly(
        "[indexer] ISSUE_INDEXER_QUEUE_TYPE -> [queue.issue_indexer] TYPE",
        "[indexer] ISSUE_INDEXER_QUEUE_BATCH_NUMBER -> [queue.issue_indexer] BATCH_LENGTH",
        "[indexer] ISSUE_INDEXER_QUEUE_DIR -> [queue.issue_indexer] DATADIR",
        "[indexer] ISSUE_INDEXER_QUEUE_CONN_STR -> [queue.issue_indexer] CONN_STR",
        "[indexer] UPDATE_BUFFER_LEN -> [queue.issue_indexer] LENGTH",
        "[mailer] SEND_BUFFER_LEN -> [queue.mail] LENGTH",
        "[repository] PULL_REQUEST_QUEUE_LENGTH -> [queue.pr_patch_checker] LENGTH",
        "[repository] MIRROR_QUEUE_LENGTH -> [queue.mirror] LENGTH",
        "[task] QUEUE_TYPE -> [queue.task] TYPE",
        "[task] QUEUE_CONN_STR -> [queue.task] CONN_STR",
        "[task] QUEUE_LENGTH -> [queue.task] LENGTH");
  }

  @Test
  void removedOptionWithAnEmptyValueIsStillAnErrorButTheFixIsToDeleteIt() {
    Finding f = only("[indexer]\nISSUE_INDEXER_QUEUE_DIR =\n");
    assertThat(f.fatal()).isTrue();
    assertThat(f.fix()).isEqualTo("delete the line: its value is empty");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "QUEUE_TYPE = redis | TYPE = redis",
      "QUEUE_TYPE = channel | TYPE = level",
      "QUEUE_LENGTH = 500 | LENGTH = 500",
  })
  void taskOptionsAreDeprecationWarnings(String line, String replacement) {
    Finding f = only("[task]\n" + line + "\n");
    assertThat(f.severity()).isEqualTo(Severity.WARNING);
    assertThat(f.message()).isEqualTo("deprecated option [task] " + line + ": it still supplies"
        + " [queue.task]'s default, as in Gitea, which has announced its removal; use [queue.task] "
        + replacement.substring(0, replacement.indexOf(' ')));
    assertThat(f.fix()).isEqualTo("move it to [queue.task] as " + replacement
        + " (config-migrator migrate does this)");
  }

  @Test
  void taskOptionShadowedByQueueSaysItSetsNothingAndWhichKeyWouldSetIt() {
    Finding f = only("[queue]\nTYPE = redis\n[task]\nQUEUE_TYPE = channel\n");
    assertThat(f.message()).isEqualTo("deprecated option [task] QUEUE_TYPE = channel: it sets"
        + " nothing here, as in Gitea, which has announced its removal; use [queue.task] TYPE");
    assertThat(f.fix()).isEqualTo("delete the line: [queue] TYPE = redis (line 2) is the task"
        + " queue's TYPE too: Gitea's loadTaskFrom writes [task]'s default into [queue.task] only"
        + " where go-ini finds no TYPE, and go-ini looks a key [queue.task] lacks up in [queue];"
        + " if the task queue should have TYPE = level, write [queue.task] TYPE = level");
  }

  @Test
  void taskOptionShadowedByTheSameValueNeedsNoHint() {
    Finding f = only("[queue]\nLENGTH = 500\n[task]\nQUEUE_LENGTH = 500\n");
    assertThat(f.message()).contains("it sets nothing here");
    assertThat(f.fix()).startsWith("delete the line: [queue] LENGTH = 500 (line 2) is the task"
        + " queue's LENGTH too").doesNotContain("write [queue.task]");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "TYPE = level | ; if it should have TYPE = redis, write that there (config-migrator migrate"
          + " leaves both lines and reports a conflict: it never overwrites a key that is set)",
      "TYPE = redis | ' and says the same (config-migrator migrate does this)'",
  })
  void taskOptionOverriddenByQueueTaskSaysItSetsNothing(String own, String tail) {
    Finding f = only("[queue.task]\n" + own + "\n[task]\nQUEUE_TYPE = redis\n");
    assertThat(f.message()).contains("it sets nothing here").doesNotContain("still supplies");
    assertThat(f.fix()).isEqualTo("delete the line: [queue.task] " + own + " (line 2) is the task"
        + " queue's own" + tail);
  }

  @Test
  void taskQueueTypeOtherThanChannelOrRedisHasNoEffect() {
    Finding f = only("[task]\nQUEUE_TYPE = level\n");
    assertThat(f.fix()).startsWith("delete the line: Gitea reads [task] QUEUE_CONN_STR only");
  }

  @Test
  void anOldGiteaTypeNameWarnsNamingTheCurrentType() {
    List<Finding> findings = check("[queue.indexer]\nTYPE = unique-redis\n");
    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.line()).isEqualTo(2);
      assertThat(f.message()).contains("unique-redis").contains("read as redis");
      assertThat(f.fix()).contains("TYPE = redis");
    });
  }

  @Test
  void taskQueueLengthMustBeANumber() {
    List<Finding> findings = check("[task]\nQUEUE_LENGTH = lots\n");
    assertThat(findings).extracting(Finding::severity)
        .containsExactly(Severity.WARNING, Severity.ERROR);
    assertThat(findings.get(1).message())
        .isEqualTo("read as [queue.task] LENGTH: LENGTH=lots is not a whole number");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "TYPE = levelqueues | TYPE=levelqueues is not a queue type; did you mean levelqueue? use one of"
          + " channel, dummy, immediate, level, redis (aliases of level: leveldb, levelqueue)",
      "TYPE = Dummy | TYPE=Dummy is not a queue type: type names are case-sensitive, as in Gitea"
          + " (which would read it as level); did you mean dummy?",
      "LENGTH = ten | LENGTH=ten is not a whole number",
      "LENGTH = 99999999999 | LENGTH=99999999999 is too large: the most is 2147483647",
      "BATCH_DEBOUNCE = 100 | BATCH_DEBOUNCE=100 is not a duration",
      "SYNC = maybe | SYNC=maybe is not a boolean (true/false)",
      "CONSUMER_TIMEOUT = 500ms | CONSUMER_TIMEOUT=500ms is too short: it must be at least 1s",
      "MAX_DELIVERIES = -1 | MAX_DELIVERIES=-1 is below the minimum 0",
      "DURABILITY = disk | DURABILITY=disk is not a durability: write none, aof, replica or replicas=N",
      "DURABILITY = replicas=0 | DURABILITY=replicas=0 is below the minimum 1",
      "MAX_ITEM_SIZE = big | MAX_ITEM_SIZE=big is not a size",
      "MAX_ITEM_SIZE = 99999999999999999999 | MAX_ITEM_SIZE=99999999999999999999 is too large",
      "MAX_ITEM_SIZE = 4194304GiB | MAX_ITEM_SIZE=4194304GiB is too large",
  })
  void badValueIsAnErrorNamingSectionKeyAndValue(String line, String message) {
    Finding f = only("[queue]\nTYPE = channel\n[queue.mail]\n" + line + "\n");
    assertThat(f.severity()).isEqualTo(Severity.ERROR);
    assertThat(f.location()).isEqualTo("app.ini:4 [queue.mail] " + line.substring(0,
        line.indexOf(' ')));
    assertThat(f.message()).startsWith(message);
  }

  @Test
  void keysThatDisagreeAreReportedOnceWhereTheyAreIntroduced() {
    List<Finding> findings = check("[queue]\nRETRY_DELAY = 10s\nRETRY_DELAY_MAX = 1s\n"
        + "[queue.mail]\nLENGTH = 5\n[queue.webhook]\nRETRY_DELAY = 0\nRETRY_DELAY_MAX = 1s\n");
    // at the first key the message names, not at the section's header
    assertThat(findings).extracting(Finding::location)
        .containsExactly("app.ini:3 [queue] RETRY_DELAY_MAX");
    assertThat(findings.get(0).message())
        .isEqualTo("RETRY_DELAY_MAX=1s is shorter than RETRY_DELAY=10s");
    assertThat(findings.get(0).fix()).isEqualTo("make the keys agree in [queue]");
    findings = check("[queue]\nRETRY_DELAY_MAX = 30s\n[queue.mail]\nLENGTH = 5\n"
        + "[queue.push]\nRETRY_DELAY = 1m\n");
    assertThat(findings).extracting(Finding::location)
        .containsExactly("app.ini:6 [queue.push] RETRY_DELAY");
    assertThat(findings.get(0).message()).isEqualTo("queue push: RETRY_DELAY_MAX=30s is shorter"
        + " than RETRY_DELAY=1m");
    assertThat(findings.get(0).fix()).isEqualTo("make the keys agree in [queue.push] or [queue]");
  }

  @Test
  void aBadValueInQueueHidesNoOtherQueuesProblem() {
    List<Finding> findings = check("[queue]\nMAX_WORKERS = abc\n[queue.mail]\nTYPE = level\n"
        + "GLOBAL_MAX_WORKERS = 4\n[queue.push]\nRETRY_DELAY = 1m\nRETRY_DELAY_MAX = 30s\n");
    assertThat(findings).extracting(Finding::location, Finding::severity).containsExactly(
        org.assertj.core.groups.Tuple.tuple("app.ini:2 [queue] MAX_WORKERS", Severity.ERROR),
        org.assertj.core.groups.Tuple.tuple("app.ini:5 [queue.mail] GLOBAL_MAX_WORKERS",
            Severity.ERROR),
        org.assertj.core.groups.Tuple.tuple("app.ini:8 [queue.push] RETRY_DELAY_MAX",
            Severity.ERROR));
    assertThat(findings.get(1).message()).contains("GLOBAL_MAX_WORKERS=4").contains("TYPE=level");
    assertThat(findings.get(2).message()).isEqualTo("queue push: RETRY_DELAY_MAX=30s is shorter"
        + " than RETRY_DELAY=1m");
  }

  @Test
  void aBadValueInAQueueHidesNoIndependentCheckOfThatQueue() {
    List<Finding> findings = check("[queue.mail]\nTYPE = channel\nLENGTH = ten\n"
        + "GLOBAL_MAX_WORKERS = 4\nDURABILITY = aof\nRETRY_DELAY = 1m\nRETRY_DELAY_MAX = 1s\n");
    assertThat(findings).extracting(Finding::location).containsExactly(
        "app.ini:3 [queue.mail] LENGTH", "app.ini:4 [queue.mail] GLOBAL_MAX_WORKERS",
        "app.ini:5 [queue.mail] DURABILITY", "app.ini:7 [queue.mail] RETRY_DELAY_MAX");
    assertThat(findings).allMatch(Finding::fatal);
  }

  /** A check whose answer would be about the default standing in for a bad value says nothing. */
  @Test
  void checksThatReadABadValueSayNothingFalse() {
    // the default RETRY_DELAY (1s) is not the file's: no "shorter than RETRY_DELAY=1s"
    assertThat(check("[queue.mail]\nRETRY_DELAY = abc\nRETRY_DELAY_MAX = 1ms\n"))
        .extracting(Finding::location).containsExactly("app.ini:2 [queue.mail] RETRY_DELAY");
    // the default TYPE (level) is not the file's: no "TYPE=level cannot enforce"
    assertThat(check("[queue.mail]\nTYPE = redys\nGLOBAL_MAX_WORKERS = 4\nDURABILITY = aof\n"))
        .extracting(Finding::location).containsExactly("app.ini:2 [queue.mail] TYPE");
    // a bad GLOBAL_MAX_WORKERS is reported once, as a bad value
    assertThat(check("[queue.mail]\nGLOBAL_MAX_WORKERS = many\n"))
        .singleElement().satisfies(f -> assertThat(f.message()).contains("not a whole number"));
  }

  @Test
  void aRemovedOptionWhoseReplacementIsSetIsNotToldToMoveWhenTheMigrationWouldRefuse() {
    Finding conflict = only("[indexer]\nUPDATE_BUFFER_LEN = 50\n[queue.issue_indexer]\n"
        + "LENGTH = 100\n");
    assertThat(conflict.fix()).isEqualTo("delete the line: [queue.issue_indexer] LENGTH = 100"
        + " (line 4) is the issue_indexer queue's own; if it should have LENGTH = 50, write that"
        + " there (config-migrator migrate leaves both lines and reports a conflict: it never"
        + " overwrites a key that is set)");
    Finding same = only("[indexer]\nUPDATE_BUFFER_LEN = 50\n[queue.issue_indexer]\n"
        + "LENGTH = 50\n");
    assertThat(same.fix()).isEqualTo("delete the line: [queue.issue_indexer] LENGTH = 50 (line 4)"
        + " is the issue_indexer queue's own and says the same (config-migrator migrate does"
        + " this)");
  }

  @Test
  void anUnknownKeyFarFromEveryKnownOneGetsNoSuggestion() {
    // an indexer key put under [queue] is not a misspelt QUEUE_NAME
    Finding f = only("[queue]\nISSUE_INDEXER_QUEUE_TYPE = levelqueue\n");
    assertThat(f.message()).isEqualTo("unknown key ISSUE_INDEXER_QUEUE_TYPE in [queue] is ignored"
        + " (no queue setting is spelt like it)");
    assertThat(f.fix()).doesNotContain("rename");
  }

  @Test
  void unknownKeySuggestsTheClosestKnownKey() {
    Finding f = only("[queue.mail]\nBATCH_LENTH = 5\n");
    assertThat(f.severity()).isEqualTo(Severity.WARNING);
    assertThat(f.message())
        .isEqualTo("unknown key BATCH_LENTH in [queue.mail] is ignored: did you mean BATCH_LENGTH?");
    assertThat(f.fix()).isEqualTo("rename it to BATCH_LENGTH, or delete it");
  }

  @Test
  void keysInTheWrongCaseAreIgnoredAsInGitea() {
    Finding f = only("[queue]\nmax_workers = 3\n");
    assertThat(f.message()).isEqualTo("unknown key max_workers in [queue]: keys are case-sensitive"
        + " (go-ini, as Gitea reads app.ini), so it is ignored");
    assertThat(f.fix()).isEqualTo("write it as MAX_WORKERS");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "WRAP_IF_NECESSARY | it has no successor | wrapped queues are gone",
      "MAX_ATTEMPTS | its successor is MAX_DELIVERIES | to dead-letter an item after n failed"
          + " deliveries, set MAX_DELIVERIES = n",
      "TIMEOUT | it has no successor | wrapped queues are gone",
      "WORKERS | its successor is MAX_WORKERS | workers now start on demand up to MAX_WORKERS",
      "BLOCK_TIMEOUT | it has no successor | workers now start on demand up to MAX_WORKERS",
      "BOOST_TIMEOUT | it has no successor | workers now start on demand up to MAX_WORKERS",
      "BOOST_WORKERS | it has no successor | workers now start on demand up to MAX_WORKERS",
  })
  void legacyQueueKeysWarnThatTheyHaveNoEffect(String key, String successor, String advice) {
    Finding f = only("[queue]\n" + key + " = 5\n");
    assertThat(f.severity()).isEqualTo(Severity.WARNING);
    assertThat(f.message()).isEqualTo(key + " = 5 has no effect: Gitea dropped it in 1.20's queue"
        + " rewrite; " + successor);
    assertThat(f.fix()).isEqualTo("delete it; " + advice);
  }

  @Test
  void repeatedKeyWarnsWhichOneIsUsed() {
    Finding f = only("[queue]\nLENGTH = 1\nTYPE = channel\nLENGTH = 2\n");
    assertThat(f.line()).isEqualTo(4);
    assertThat(f.message())
        .isEqualTo("LENGTH is set 2 times in [queue] (lines 2, 4); the last one, LENGTH = 2, is used");
  }

  @Test
  void sectionsThatAreNotReadBecauseOfCaseOrBlanksWarn() {
    List<Finding> findings = check("[Queue]\nTYPE = redis\n[ queue.Mail ]\nLENGTH = 1\n");
    assertThat(findings).extracting(Finding::message).containsExactly(
        "section [Queue] is not read: section names are case-sensitive and keep blanks (go-ini,"
            + " as Gitea reads app.ini)",
        "section [ queue.Mail ] is not read: section names are case-sensitive and keep blanks"
            + " (go-ini, as Gitea reads app.ini)");
    assertThat(findings).extracting(Finding::fix)
        .containsExactly("rename it to [queue]", "rename it to [queue.Mail]");
  }

  @Test
  void explicitEmptyConnStrInTheQueueSectionClearsTheInheritedOne() {
    assertThat(check("[queue]\nTYPE = redis\nCONN_STR = redis://h:6379/0\n[queue.mail]\n"
        + "TYPE = level\nCONN_STR =\n")).isEmpty();
  }

  @Test
  void emptyQueueNameWarns() {
    Finding f = only("[queue.]\nLENGTH = 1\n");
    assertThat(f.message()).isEqualTo("section [queue.] names no queue");
    assertThat(f.key()).isNull();
  }

  @Test
  void findingsAreOrderedByLine() {
    List<Finding> findings = check("[repository]\nMIRROR_QUEUE_LENGTH = 1\n[indexer]\n"
        + "UPDATE_BUFFER_LEN = 2\n[queue]\nWORKERS = 1\n");
    assertThat(findings).extracting(Finding::line).containsExactly(2, 4, 6);
  }

  /** The check refuses what start-up refuses: a cap across processes no TYPE but redis enforces. */
  @Test
  void globalMaxWorkersOnATypeThatCannotEnforceItIsAnError() {
    Finding f = only("[queue.mail]\nTYPE = level\nGLOBAL_MAX_WORKERS = 2\n");
    assertThat(f.severity()).isEqualTo(Severity.ERROR);
    assertThat(f.line()).isEqualTo(3);
    assertThat(f.message()).contains("queue \"mail\"").contains("GLOBAL_MAX_WORKERS=2")
        .contains("TYPE=level");
    assertThat(f.fix()).contains("GLOBAL_MAX_WORKERS = 0");
    assertThat(check("[queue.mail]\nTYPE = redis\nGLOBAL_MAX_WORKERS = 2\n")).isEmpty();
  }

  /** An old option set twice in its own section: the last line wins there too, as in [queue]. */
  @Test
  void anOldOptionSetTwiceIsWarnedAsAQueueKeyIs() {
    List<Finding> findings = check("[indexer]\nISSUE_INDEXER_QUEUE_TYPE = levelqueue\n"
        + "ISSUE_INDEXER_QUEUE_TYPE = redis\n");
    assertThat(findings).extracting(Finding::severity)
        .containsExactlyInAnyOrder(Severity.WARNING, Severity.ERROR);
    assertThat(findings).filteredOn(f -> f.severity() == Severity.WARNING).singleElement()
        .satisfies(f -> {
          assertThat(f.location()).isEqualTo("app.ini:3 [indexer] ISSUE_INDEXER_QUEUE_TYPE");
          assertThat(f.message()).contains("set 2 times in [indexer] (lines 2, 3)")
              .contains("ISSUE_INDEXER_QUEUE_TYPE = redis, is used");
        });
  }

  /** [queue]'s own finding is not about a queue named "default queue". */
  @Test
  void aRefusalInQueueNamesNoQueue() {
    Finding f = only("[queue]\nTYPE = level\nGLOBAL_MAX_WORKERS = 2\n");
    assertThat(f.message()).startsWith("GLOBAL_MAX_WORKERS=2").doesNotContain("default queue");
    assertThat(f.fix()).contains("in [queue]").doesNotContain("this queue");
  }

  /** The same for a durability only a Redis push can wait for: it was silently ignored. */
  @Test
  void durabilityOnATypeThatCannotWaitForItIsAnError() {
    Finding f = only("[queue.mail]\nTYPE = level\nDURABILITY = replica\n");
    assertThat(f.severity()).isEqualTo(Severity.ERROR);
    assertThat(f.line()).isEqualTo(3);
    assertThat(f.message()).contains("queue \"mail\"").contains("DURABILITY=replica")
        .contains("TYPE=level");
    assertThat(f.fix()).contains("DURABILITY = none");
    assertThat(check("[queue.mail]\nTYPE = redis\nDURABILITY = replica\n")).isEmpty();
    assertThat(check("[queue.mail]\nTYPE = level\nDURABILITY = none\n")).isEmpty();
  }
}
