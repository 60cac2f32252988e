package io.queuekit.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.ini.ConfigCheck;
import io.queuekit.ini.Finding;
import io.queuekit.ini.Finding.Severity;
import io.queuekit.ini.IniFile;
import io.queuekit.ini.IniQueueConfig;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/**
 * The configuration check and the INI reader where the backends' own rules decide: each backend
 * checks its CONN_STR and names its outdated forms, and queue-api asks it. Here, where every
 * published backend is on the class path, as in a service (queue-api's own tests cannot load
 * them: they depend on queue-api).
 */
class BackendRulesTest {

  private static List<Finding> check(String text) {
    return ConfigCheck.run(IniFile.parse(text, "app.ini"));
  }

  private static Finding only(String text) {
    List<Finding> findings = check(text);
    assertThat(findings).hasSize(1);
    return findings.get(0);
  }

  @Test
  void removedIssueIndexerTypeIsTranslatedAndItsConnStrConvertedWithPasswordMasked() {
    List<Finding> findings = check("[indexer]\nISSUE_INDEXER_QUEUE_TYPE = channel\n"
        + "ISSUE_INDEXER_QUEUE_CONN_STR = network=tcp,addr=h:6379,password=secret,db=1\n");
    // a Redis string for a (persistable) channel: Gitea's old indexer read it only for redis
    assertThat(findings).extracting(Finding::fix).containsExactly(
        "move it to [queue.issue_indexer] as TYPE = level (config-migrator migrate does this)",
        "delete the line: Gitea ignored it: it read ISSUE_INDEXER_QUEUE_CONN_STR only for a redis"
            + " issue queue, the issue queue is level (ISSUE_INDEXER_QUEUE_TYPE = channel), and"
            + " this is a redis connection string");
    assertThat(findings.get(1).message()).contains("password=****").doesNotContain("secret");
  }

  @Test
  void taskConnStrIsConvertedToAUri() {
    List<Finding> findings = check("[task]\nQUEUE_TYPE = redis\nQUEUE_CONN_STR = addrs=h:6379 db=2\n");
    assertThat(findings).extracting(Finding::severity)
        .containsExactly(Severity.WARNING, Severity.WARNING);
    assertThat(findings.get(1).fix()).isEqualTo("move it to [queue.task] as CONN_STR ="
        + " redis://h:6379/2 (config-migrator migrate does this)");
  }

  /**
   * The operator's file: {@code [queue] TYPE = level} shadows {@code [task] QUEUE_TYPE = redis}
   * (as in Gitea), so the Redis string from {@code [task]} meets a level task queue. No finding
   * may claim the shadowed option still supplies anything, and each says where TYPE = redis goes.
   */
  @Test
  void taskRedisTypeShadowedByQueueIsExplainedWhereTheConnStrFails() {
    List<Finding> findings = check("[queue]\nTYPE = level\n[task]\nQUEUE_TYPE = redis\n"
        + "QUEUE_CONN_STR = redis://127.0.0.1:16399/0\n");
    assertThat(findings).extracting(Finding::line, Finding::severity).containsExactly(
        Tuple.tuple(4, Severity.WARNING),
        Tuple.tuple(5, Severity.WARNING),
        Tuple.tuple(5, Severity.ERROR));
    Finding type = findings.get(0);
    assertThat(type.message()).contains("it sets nothing here").doesNotContain("still supplies");
    assertThat(type.fix()).startsWith("delete the line: [queue] TYPE = level (line 2) is the task"
        + " queue's TYPE too").endsWith("; if the task queue should have TYPE = redis, write"
        + " [queue.task] TYPE = redis");
    assertThat(findings.get(1).message()).contains("it still supplies [queue.task]'s default");
    Finding conn = findings.get(2);
    assertThat(conn.message()).contains("cannot be used by a level queue (queue task, TYPE from"
        + " app.ini:2: [queue] TYPE, which shadows [task] QUEUE_TYPE = redis (line 4))");
    assertThat(conn.fix()).isEqualTo("write a CONN_STR a level queue reads, or delete it, or set"
        + " TYPE = redis in [queue.task]: start-up would refuse it");
    // following the hint: the task queue is redis and reads the [task] string
    assertThat(check("[queue]\nTYPE = level\n[queue.task]\nTYPE = redis\n[task]\n"
        + "QUEUE_CONN_STR = redis://127.0.0.1:16399/0\n"))
        .singleElement().satisfies(f -> assertThat(f.fatal()).isFalse());
  }

  @Test
  void oldFormConnStrWarnsWithTheUriItBecomes() {
    Finding f = only("[queue]\nTYPE = redis\nCONN_STR = addrs=127.0.0.1:6379 db=0\n");
    assertThat(f.severity()).isEqualTo(Severity.WARNING);
    assertThat(f.message()).isEqualTo("CONN_STR is in an old form, which the redis backend reads"
        + " as redis://127.0.0.1:6379/0, as Gitea converts it: addrs=127.0.0.1:6379 db=0");
    assertThat(f.fix())
        .isEqualTo("write CONN_STR = redis://127.0.0.1:6379/0 (config-migrator migrate does this)");
  }

  /**
   * An old form whose server Gitea would silently replace by 127.0.0.1:6379 is an error, not a
   * conversion to offer: the migrator must not write that misreading into the file. The comma
   * form's password stays masked to the end of the line without eating the message.
   */
  @Test
  void oldFormThatWouldFallBackToTheDefaultServerIsAnErrorNotAConversion() {
    Finding f = only("[queue]\nTYPE = redis\nCONN_STR = adrs=10.9.9.9:7000 db=2\n");
    assertThat(f.severity()).isEqualTo(Severity.ERROR);
    assertThat(f.location()).isEqualTo("app.ini:3 [queue] CONN_STR");
    assertThat(f.message()).contains("names no server").contains("the field adrs")
        .doesNotContain("redis://127.0.0.1");
    Finding pw = only("[queue]\nTYPE = redis\nCONN_STR = 10.9.9.9:7000,password=s3cret\n");
    assertThat(pw.severity()).isEqualTo(Severity.ERROR);
    assertThat(pw.message()).contains("field 1 of 2 has no '='").doesNotContain("s3cret");
    Finding ok = only("[queue]\nTYPE = redis\nCONN_STR = network=tcp,addr=h:6379,password=s3cret\n");
    assertThat(ok.message()).isEqualTo("CONN_STR is in an old form, which the redis backend reads"
        + " as redis://:****@h:6379/0, as Gitea converts it: network=tcp,addr=h:6379,password=****");
  }

  @Test
  void levelQueueWithARedisConnStrIsAnErrorReportedOnce() {
    List<Finding> findings = check("[queue]\nCONN_STR = redis://:secret@h:6379/0\n"
        + "[queue.mail]\nLENGTH = 10\n[queue.webhook]\nTYPE = redis\n");
    assertThat(findings).hasSize(1);
    Finding f = findings.get(0);
    assertThat(f.location()).isEqualTo("app.ini:2 [queue] CONN_STR");
    assertThat(f.message()).startsWith("CONN_STR = redis://:****@h:6379/0 cannot be used by a level"
        + " queue (every queue without its own [queue.NAME] type, TYPE from the default): it is a"
        + " redis connection string; ").contains("TYPE=level takes leveldb://path")
        .doesNotContain("secret");
    // not "delete it": [queue.webhook] reads it
    assertThat(f.fix()).isEqualTo("write a CONN_STR a level queue reads, or set TYPE = redis:"
        + " start-up would refuse it; do not just delete it: [queue.webhook] reads it (write it"
        + " there first)");
  }

  @Test
  void aDefaultQueueWhoseConnStrNoOtherQueueReadsMayDeleteIt() {
    Finding f = only("[queue]\nCONN_STR = redis://h:6379/0\n[queue.mail]\nLENGTH = 10\n");
    assertThat(f.fix()).isEqualTo("write a CONN_STR a level queue reads, or delete it, or set"
        + " TYPE = redis: start-up would refuse it");
  }

  @Test
  void ownTypeThatCannotUseTheInheritedConnStrIsToldToOverrideItInItsOwnSection() {
    Finding f = only("[queue]\nTYPE = redis\nCONN_STR = redis://h:6379/0\n[queue.mail]\n"
        + "TYPE = level\n");
    assertThat(f.location()).isEqualTo("app.ini:3 [queue] CONN_STR");
    assertThat(f.message()).contains("(queue mail, TYPE from app.ini:5: [queue.mail] TYPE)");
    // not "delete [queue] CONN_STR", which every other redis queue needs
    assertThat(f.fix()).startsWith("write CONN_STR = (empty) in [queue.mail]");
  }

  @Test
  void redisQueueNeedsARedisConnStr() {
    Finding f = only("[queue.mail]\nTYPE = redis\nCONN_STR = leveldb:///var/q\n");
    assertThat(f.message()).startsWith("CONN_STR = leveldb:///var/q cannot be used by a redis"
        + " queue (queue mail, TYPE from app.ini:2: [queue.mail] TYPE): it is a level connection"
        + " string; ").contains("unknown scheme leveldb");
    assertThat(f.fix()).endsWith("or set TYPE = level: start-up would refuse it");
  }

  @Test
  void redisClusterHasOnlyDatabaseZero() {
    Finding f = only("[queue]\nTYPE = redis\nCONN_STR = redis+cluster://a:1,b:2/3\n");
    assertThat(f.message()).contains("Redis Cluster has only database 0, but db 3 is configured");
  }

  /** The reviewer's file: one bad value in [queue] hid every queue's CONN_STR check. */
  @Test
  void aBadValueInQueueDoesNotHideAQueuesConnStr() {
    List<Finding> findings = check("[queue]\nMAX_WORKERS = abc\n[queue.mail]\nTYPE = redis\n"
        + "CONN_STR = redis://127.0.0.1:6379/abc\n");
    assertThat(findings).extracting(Finding::location, Finding::severity).containsExactly(
        Tuple.tuple("app.ini:2 [queue] MAX_WORKERS", Severity.ERROR),
        Tuple.tuple("app.ini:5 [queue.mail] CONN_STR", Severity.ERROR));
    // and start-up names both at once
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> IniQueueConfig.parse(
        "[queue]\nMAX_WORKERS = abc\n[queue.mail]\nTYPE = redis\n"
            + "CONN_STR = redis://127.0.0.1:6379/abc\n", "app.ini")))
        .hasMessageStartingWith("app.ini: 2 errors in the queue configuration")
        .hasMessageContaining("app.ini:2 [queue] MAX_WORKERS")
        .hasMessageContaining("app.ini:5 [queue.mail] CONN_STR");
  }

  @Test
  void aBadValueInAQueueDoesNotHideItsClusterOrConnStrChecks() {
    List<Finding> findings = check("[queue.mail]\nTYPE = redis\nLENGTH = ten\n"
        + "CONN_STR = redis+cluster://a:1,b:2/0\nDURABILITY = aof\n");
    assertThat(findings).extracting(Finding::location).containsExactly(
        "app.ini:3 [queue.mail] LENGTH", "app.ini:4 [queue.mail] CONN_STR");
    assertThat(findings.get(1).message()).containsIgnoringCase("cluster").contains("aof");
    // a bad TYPE: no check may judge the CONN_STR by the default type (level)
    assertThat(check("[queue.mail]\nTYPE = rediss\nCONN_STR = redis://h:6379/0\n"))
        .extracting(Finding::location).containsExactly("app.ini:2 [queue.mail] TYPE");
  }

  @Test
  void taskQueueConnStrFromTaskSectionIsCheckedAgainstTheTaskType() {
    List<Finding> findings = check("[task]\nQUEUE_TYPE = channel\nQUEUE_CONN_STR = redis://h/0\n");
    assertThat(findings).extracting(Finding::severity)
        .containsExactly(Severity.WARNING, Severity.WARNING, Severity.ERROR);
    assertThat(findings.get(2).location()).isEqualTo("app.ini:3 [task] QUEUE_CONN_STR");
    assertThat(findings.get(2).message()).startsWith("CONN_STR = redis://h/0 cannot be used by a"
        + " level queue (queue task");
  }

  @Test
  void redisQueueReadsTheOldFormAsTheUriItsBackendGives() {
    assertThat(IniQueueConfig.parse("[queue]\nTYPE = redis\nCONN_STR = addrs=h:6379 db=2\n",
        "app.ini").settings("x").connStr()).isEqualTo("redis://h:6379/2");
    assertThat(IniQueueConfig.parse("[task]\nQUEUE_TYPE = redis\n"
        + "QUEUE_CONN_STR = addrs=h:1 db=3\n", "app.ini").settings("task").connStr())
        .isEqualTo("redis://h:1/3");
  }

  @Test
  void everyPublishedTypeAndNameIsKnownToTheCheck() {
    // the migrator carries every published backend, so no TYPE a service may use is refused
    for (String type : List.of("level", "leveldb", "levelqueue", "channel", "redis", "dummy",
        "immediate", "unique-level", "unique-channel", "unique-redis", "persistable-channel",
        "unique-persistable-channel", "wrapped")) {
      assertThat(check("[queue.mail]\nTYPE = " + type + "\n"))
          .as(type).noneMatch(f -> f.severity() == Severity.ERROR);
    }
  }
}
