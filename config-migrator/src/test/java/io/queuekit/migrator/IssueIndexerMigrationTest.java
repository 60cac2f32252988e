package io.queuekit.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.ini.ConfigCheck;
import io.queuekit.ini.Finding;
import io.queuekit.ini.IniFile;
import io.queuekit.migrator.Migration.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The old {@code [indexer] ISSUE_INDEXER_QUEUE_*} keys, which Gitea's old indexer read per type
 * (a levelqueue from the DIR, a redis queue from the CONN_STR): a key Gitea did not read is not
 * carried over, the output says so, and the migrated file passes {@code check}.
 */
class IssueIndexerMigrationTest {
  @TempDir
  Path dir;

  private static final String LEVEL_WITH_REDIS_CONN = "[indexer]\n"
      + "ISSUE_INDEXER_QUEUE_TYPE = levelqueue\n"
      + "ISSUE_INDEXER_QUEUE_CONN_STR = \"addrs=127.0.0.1:6379 db=0\"\n";

  private static Migration.Result migrate(String text) {
    return Migration.run(IniFile.parse(text, "app.ini"));
  }

  private static List<Finding> errors(IniFile file) {
    return ConfigCheck.run(file).stream().filter(Finding::fatal).toList();
  }

  @Test
  void aRedisConnStrOfALevelqueueIsNotCarriedOverAndTheStepSaysWhy() {
    Migration.Result r = migrate(LEVEL_WITH_REDIS_CONN);
    assertThat(r.after().text()).isEqualTo("[indexer]\n\n[queue.issue_indexer]\nTYPE = level\n");
    assertThat(errors(r.after())).isEmpty();
    assertThat(r.steps()).extracting(Migration.Step::kind)
        .containsExactly(Kind.MOVED, Kind.DELETED);
    Migration.Step dropped = r.steps().get(1);
    assertThat(dropped.line()).isEqualTo(3);
    assertThat(dropped.toString()).isEqualTo("deleted: app.ini:3 [indexer]"
        + " ISSUE_INDEXER_QUEUE_CONN_STR = addrs=127.0.0.1:6379 db=0: it set nothing (Gitea"
        + " ignored it: it read ISSUE_INDEXER_QUEUE_CONN_STR only for a redis issue queue, the"
        + " issue queue is level (ISSUE_INDEXER_QUEUE_TYPE = levelqueue), and this is a redis"
        + " connection string)");
  }

  @Test
  void checkAdvisesDeletingTheIgnoredConnStrNotMovingIt() {
    List<Finding> findings = ConfigCheck.run(IniFile.parse(LEVEL_WITH_REDIS_CONN, "app.ini"));
    assertThat(findings).extracting(Finding::line).containsExactly(2, 3);
    assertThat(findings.get(1).fix()).startsWith("delete the line: Gitea ignored it: it read"
        + " ISSUE_INDEXER_QUEUE_CONN_STR only for a redis issue queue")
        .doesNotContain("move it");
  }

  @Test
  void migrateWriteOfTheLevelqueueFileYieldsAFileCheckPasses() throws Exception {
    Path ini = dir.resolve("app.ini");
    Files.write(ini, LEVEL_WITH_REDIS_CONN.getBytes(StandardCharsets.UTF_8));
    CliTest.Run r = CliTest.run("migrate", "--write", ini.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("app.ini:3 [indexer] ISSUE_INDEXER_QUEUE_CONN_STR")
        .contains("Gitea ignored it");
    assertThat(r.out()).contains("-ISSUE_INDEXER_QUEUE_CONN_STR = \"addrs=127.0.0.1:6379 db=0\"");
    CliTest.Run check = CliTest.run("check", ini.toString());
    assertThat(check.exit()).as(check.out()).isZero();
  }

  @Test
  void aRedisConnStrOfARedisQueueIsCarriedOver() {
    Migration.Result r = migrate("[indexer]\nISSUE_INDEXER_QUEUE_TYPE = redis\n"
        + "ISSUE_INDEXER_QUEUE_CONN_STR = addrs=h:6379 db=2\n");
    assertThat(r.after().text()).isEqualTo("[indexer]\n\n[queue.issue_indexer]\nTYPE = redis\n"
        + "CONN_STR = redis://h:6379/2\n");
    assertThat(ConfigCheck.run(r.after())).isEmpty();
  }

  @Test
  void theDirOfARedisQueueIsNotCarriedOver() {
    Migration.Result r = migrate("[indexer]\nISSUE_INDEXER_QUEUE_TYPE = redis\n"
        + "ISSUE_INDEXER_QUEUE_DIR = indexers/issues.queue\n");
    assertThat(r.after().text()).isEqualTo("[indexer]\n\n[queue.issue_indexer]\nTYPE = redis\n");
    assertThat(r.steps().get(1).toString()).startsWith("deleted: app.ini:3 [indexer]"
        + " ISSUE_INDEXER_QUEUE_DIR = indexers/issues.queue: it set nothing (Gitea ignored it: it"
        + " read ISSUE_INDEXER_QUEUE_DIR only for a LevelDB issue queue (levelqueue), and the"
        + " issue queue is redis (ISSUE_INDEXER_QUEUE_TYPE = redis))");
  }

  @Test
  void aLevelqueueUnderARedisQueueSectionGetsAnEmptyConnStrOfItsOwn() {
    String before = "[queue]\nTYPE = redis\nCONN_STR = redis://:secret@h:6379/0\n"
        + "[indexer]\nISSUE_INDEXER_QUEUE_TYPE = levelqueue\n";
    List<Finding> check = ConfigCheck.run(IniFile.parse(before, "app.ini"));
    assertThat(check).singleElement().satisfies(f -> assertThat(f.fix()).isEqualTo(
        "move it to [queue.issue_indexer] as TYPE = level, with CONN_STR = (empty) there so that"
            + " it does not inherit [queue] CONN_STR = redis://:****@h:6379/0 (line 3), which a"
            + " level queue cannot use (config-migrator migrate does this)"));
    Migration.Result r = migrate(before);
    assertThat(r.after().text()).isEqualTo("[queue]\nTYPE = redis\nCONN_STR ="
        + " redis://:secret@h:6379/0\n[indexer]\n\n[queue.issue_indexer]\nTYPE = level\n"
        + "CONN_STR =\n");
    assertThat(ConfigCheck.run(r.after())).isEmpty();
    assertThat(r.steps()).extracting(Migration.Step::kind).containsExactly(Kind.MOVED, Kind.ADDED);
    assertThat(r.steps().get(1).description()).isEqualTo("[queue.issue_indexer] CONN_STR ="
        + " (empty), so that the level queue moved there from app.ini:5 [indexer]"
        + " ISSUE_INDEXER_QUEUE_TYPE = levelqueue does not inherit [queue] CONN_STR ="
        + " redis://:****@h:6379/0, which it cannot use (the old option never read it)");
  }
}
