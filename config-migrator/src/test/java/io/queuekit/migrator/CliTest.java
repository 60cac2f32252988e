package io.queuekit.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuekit.ini.OldOption;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI run in-process, as an operator runs it: exit codes, output, files written. */
class CliTest {
  @TempDir
  Path dir;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    CommandLine cmd = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int exit = cmd.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.write(p, text.getBytes(StandardCharsets.UTF_8));
    return p;
  }

  @Test
  void checkOfACleanFileExitsZero() throws Exception {
    Path ini = write("app.ini", "[queue]\nTYPE = redis\nCONN_STR = redis://h:6379/0\n");
    Run r = run("check", ini.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo(ini + ": no problems found\n");
  }

  @Test
  void aBinaryFileIsRefusedAndNeverEchoed() throws Exception {
    Path bin = dir.resolve("app.ini");
    Files.write(bin, new byte[] {'[', 'q', ']', '\n', 0x1b, '[', '3', '1', 'm', 0, (byte) 0xff, '\n'});
    for (String cmd : new String[] {"check", "migrate"}) {
      Run r = run(cmd, bin.toString());
      assertThat(r.exit()).as(cmd).isEqualTo(2);
      assertThat(r.err()).as(cmd).contains("not a text file");
      assertThat(r.out() + r.err()).as(cmd).doesNotContain("\u001b").doesNotContain("\u0000");
    }
    Files.write(bin, new byte[] {'[', 'q', ']', '\n', (byte) 0xc3, (byte) 0x28, '\n'});
    assertThat(run("check", bin.toString()).err()).contains("not UTF-8");
  }

  /** The service's reader and both commands refuse the same bytes with the same message. */
  @Test
  void aFileThatIsNotUtf8IsRefusedNamingFileLineAndByteAsTheServiceDoes() throws Exception {
    Path ini = dir.resolve("app.ini");
    for (byte[] bytes : new byte[][] {
        "[queue]\nDATADIR = queues/caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1),
        "[queue]\nLENGTH = 5\0\n".getBytes(StandardCharsets.UTF_8)}) {
      Files.write(ini, bytes);
      String service = org.assertj.core.api.Assertions.catchThrowable(
          () -> io.queuekit.ini.IniQueueConfig.load(ini)).getMessage();
      assertThat(service).startsWith(ini + ":2: ").endsWith("; nothing was read");
      for (String cmd : new String[] {"check", "migrate"}) {
        Run r = run(cmd, ini.toString());
        assertThat(r.exit()).as(cmd).isEqualTo(2);
        assertThat(r.err()).as(cmd).isEqualTo("config-migrator: " + service + "\n");
      }
    }
    assertThat(run("check", ini.toString()).err()).contains(":2: a NUL byte (0x00) at column 11");
    Files.write(ini, "[queue]\nDATADIR = queues/caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThat(run("check", ini.toString()).err())
        .contains(":2: byte 0xE9 at column 21 (byte offset 28 of the file) is not UTF-8");
  }

  @Test
  void checkJsonAnswersInJsonWhenTheFileCannotBeRead() throws Exception {
    Run r = run("check", "--format", "json", dir.resolve("missing.ini").toString());
    assertThat(r.exit()).isEqualTo(2);
    JsonNode doc = new ObjectMapper().readTree(r.out());
    assertThat(doc.get("ok").asBoolean()).isFalse();
    assertThat(doc.get("error").asText()).contains("missing.ini");
  }

  @Test
  void checkRefusesWhatStartUpWouldRefuse() throws Exception {
    // each backend parses its own CONN_STR in check, as create() does at start-up
    for (String conn : new String[] {"redis://h:6379/abc", "redis://h:notaport/0",
        "redis+sentinel://h:26379/0"}) {
      Path ini = write("app.ini", "[queue.mail]\nTYPE = redis\nCONN_STR = " + conn + "\n");
      Run r = run("check", ini.toString());
      assertThat(r.exit()).as(conn + ": " + r.out()).isEqualTo(1);
      assertThat(r.out()).contains("app.ini:3: error:");
    }
    Path level = write("app.ini", "[queue.mail]\nCONN_STR = leveldb://\n");
    Run r = run("check", level.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("names no directory");
  }

  @Test
  void checkListsAllEightRemovedOptionsWithReplacementsAndExitsOne() throws Exception {
    Path ini = write("app.ini", MigrationTest.EVERYTHING);
    Run r = run("check", ini.toString());
    assertThat(r.exit()).isEqualTo(1);
    for (OldOption o : OldOption.values()) {
      if (o.removed() && o != OldOption.ISSUE_INDEXER_QUEUE_DIR) {
        assertThat(r.out()).contains(": error: [" + o.section() + "] " + o.key()
            + ": removed queue option").contains("use [" + o.newSection() + "] "
            + o.newKey().key() + "\n    fix: move it to [" + o.newSection() + "] as "
            + o.newKey().key() + " = ");
      }
    }
    assertThat(r.out()).contains(ini + ":8: error: [indexer] ISSUE_INDEXER_QUEUE_TYPE: removed"
        + " queue option [indexer] ISSUE_INDEXER_QUEUE_TYPE = redis: Gitea 1.20+ and queuekit"
        + " refuse to start while it is set; use [queue.issue_indexer] TYPE\n    fix: move it to"
        + " [queue.issue_indexer] as TYPE = redis (config-migrator migrate does this)\n");
    // Gitea's old indexer read the DIR only for a levelqueue: for this redis queue, it goes
    assertThat(r.out()).contains(ini + ":9: error: [indexer] ISSUE_INDEXER_QUEUE_DIR: removed"
        + " queue option").contains("    fix: delete the line: Gitea ignored it: it read"
        + " ISSUE_INDEXER_QUEUE_DIR only for a LevelDB issue queue (levelqueue), and the issue"
        + " queue is redis (ISSUE_INDEXER_QUEUE_TYPE = redis)\n");
    assertThat(r.out()).doesNotContain("hunter2").contains("password=****");
    assertThat(r.out()).endsWith(ini + ": 8 errors, 2 warnings\n");
  }

  @Test
  void checkJsonListsFindingsAsObjects() throws Exception {
    Path ini = write("app.ini", "[mailer]\nSEND_BUFFER_LEN = 10\n[queue]\nWORKERS = 2\n");
    Run r = run("check", "--format", "json", ini.toString());
    assertThat(r.exit()).isEqualTo(1);
    JsonNode doc = new ObjectMapper().readTree(r.out());
    assertThat(doc.get("file").asText()).isEqualTo(ini.toString());
    assertThat(doc.get("ok").asBoolean()).isFalse();
    assertThat(doc.get("errors").asInt()).isEqualTo(1);
    assertThat(doc.get("warnings").asInt()).isEqualTo(1);
    JsonNode first = doc.get("findings").get(0);
    assertThat(first.get("file").asText()).isEqualTo(ini.toString());
    assertThat(first.get("line").asInt()).isEqualTo(2);
    assertThat(first.get("severity").asText()).isEqualTo("ERROR");
    assertThat(first.get("section").asText()).isEqualTo("mailer");
    assertThat(first.get("key").asText()).isEqualTo("SEND_BUFFER_LEN");
    assertThat(first.get("fix").asText())
        .isEqualTo("move it to [queue.mail] as LENGTH = 10 (config-migrator migrate does this)");
    assertThat(doc.get("findings").get(1).get("severity").asText()).isEqualTo("WARNING");
  }

  @Test
  void strictMakesWarningsFatal() throws Exception {
    Path ini = write("app.ini", "[queue]\nWORKERS = 2\n");
    assertThat(run("check", ini.toString()).exit()).isZero();
    Run strict = run("check", "--strict", ini.toString());
    assertThat(strict.exit()).isEqualTo(1);
    assertThat(strict.out()).endsWith(": 0 errors, 1 warning (--strict: warnings are fatal)\n");
    Run json = run("check", "--strict", "--format=json", ini.toString());
    assertThat(json.exit()).isEqualTo(1);
    assertThat(json.out()).contains("\"ok\" : false").contains("\"strict\" : true");
  }

  @Test
  void usageErrorsExitTwo() throws Exception {
    Path ini = write("app.ini", "");
    assertThat(run().exit()).isEqualTo(2);
    assertThat(run().err()).contains("missing command: check or migrate").contains("Usage:");
    assertThat(run("check").exit()).isEqualTo(2);
    assertThat(run("check", "--format", "yaml", ini.toString()).exit()).isEqualTo(2);
    assertThat(run("frobnicate").exit()).isEqualTo(2);
    Run missing = run("check", dir.resolve("nope.ini").toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).startsWith("config-migrator: cannot read " + dir.resolve("nope.ini"))
        .contains("NoSuchFileException");
  }

  @Test
  void helpAndVersionExitZero() {
    Run help = run("--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("check").contains("migrate").contains("Exit codes:");
    Run version = run("--version");
    assertThat(version.exit()).isZero();
    assertThat(version.out()).startsWith("config-migrator ");
  }

  @Test
  void checkReportsALineGoIniCannotReadAsAnError() throws Exception {
    Path ini = write("app.ini", "[queue]\nTYPE redis\n");
    Run r = run("check", ini.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).startsWith(ini + ":2: error: [queue]: key-value delimiter not found:"
        + " `TYPE redis`\n    fix: correct the line");
  }

  @Test
  void aLineGoIniCannotReadIsNotEchoedWhenItMentionsAPassword() throws Exception {
    Path ini = write("app.ini", "[queue]\nTYPE = redis\npassword topSecret8 here\n");
    for (String cmd : new String[] {"check", "migrate"}) {
      Run r = run(cmd, ini.toString());
      assertThat(r.exit()).as(cmd).isEqualTo(1);
      assertThat(r.out() + r.err()).as(cmd).doesNotContain("topSecret8")
          .contains(ini + ":3: ").contains("key-value delimiter not found (the line is not"
              + " shown: it mentions a password; a line is [section], KEY = value, KEY: value, or"
              + " a comment starting with ; or #)");
    }
    Run json = run("check", "--format", "json", ini.toString());
    assertThat(json.out()).doesNotContain("topSecret8").contains("the line is not shown");
  }

  @Test
  void checkReportsEveryErrorNotOnlyTheFirstOfEachQueue() throws Exception {
    Path ini = write("app.ini", "[queue]\nMAX_WORKERS = abc\n[queue.mail]\nTYPE = redis\n"
        + "CONN_STR = redis://127.0.0.1:6379/abc\n");
    Run r = run("check", ini.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains(ini + ":2: error: [queue] MAX_WORKERS: MAX_WORKERS=abc is not a"
        + " whole number").contains(ini + ":5: error: [queue.mail] CONN_STR: CONN_STR ="
        + " redis://127.0.0.1:6379/abc cannot be used by a redis queue")
        .endsWith(ini + ": 2 errors, 0 warnings\n");
  }

  @Test
  void migratePrintsADiffAndWritesNothingWithoutWrite() throws Exception {
    String text = "[mailer]\nENABLED = true\nSEND_BUFFER_LEN = 10\n[queue]\n"
        + "CONN_STR = network=tcp,addr=h:6379,password=secret,db=0\nTYPE = redis\n";
    Path ini = write("app.ini", text);
    Run r = run("migrate", ini.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo(String.join("\n",
        "--- " + ini,
        "+++ " + ini,
        "@@ -1,6 +1,8 @@",
        " [mailer]",
        " ENABLED = true",
        "-SEND_BUFFER_LEN = 10",
        " [queue]",
        "-CONN_STR = network=tcp,addr=h:6379,password=****,db=0",
        "+CONN_STR = redis://:****@h:6379/0",
        " TYPE = redis",
        "+",
        "+[queue.mail]",
        "+LENGTH = 10",
        ""));
    assertThat(r.err()).contains("converted: " + ini + ":5 [queue] CONN_STR")
        .contains("moved: " + ini + ":3 [mailer] SEND_BUFFER_LEN = 10 ->"
            + " [queue.mail] LENGTH = 10")
        .contains("not written; run again with --write");
    // (the note on the masked lines names the --show-secrets option, not the password)
    assertThat((r.out() + r.err()).replace("--show-secrets", "")).doesNotContain("secret");
    assertThat(r.err()).contains("note: lines of this diff that hold a password show it as ****");
    assertThat(Files.readString(ini)).isEqualTo(text);
    assertThat(run("migrate", "--show-secrets", ini.toString()).out())
        .contains("+CONN_STR = redis://:secret@h:6379/0");
  }

  @Test
  void migrateWriteOnTheEverythingFileYieldsAFileCheckPasses() throws Exception {
    Path ini = write("app.ini", MigrationTest.EVERYTHING);
    Files.setPosixFilePermissions(ini, PosixFilePermissions.fromString("rw-r-----"));
    Run r = run("migrate", "--write", ini.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("wrote " + ini + " (backup: " + ini + ".bak)");
    byte[] after = Files.readAllBytes(ini);
    assertThat(new String(after, StandardCharsets.UTF_8))
        .isEqualTo(MigrationTest.EVERYTHING_MIGRATED);
    Lines.assertKept(MigrationTest.EVERYTHING.getBytes(StandardCharsets.UTF_8), after,
        8, 9, 10, 11, 12, 16, 20, 21, 24, 25);
    assertThat(Files.readString(dir.resolve("app.ini.bak"))).isEqualTo(MigrationTest.EVERYTHING);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ini)))
        .isEqualTo("rw-r-----");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("app.ini", "app.ini.bak");
    }
    Run check = run("check", ini.toString());
    assertThat(check.exit()).as(check.out()).isZero();
    Run again = run("migrate", ini.toString());
    assertThat(again.exit()).isZero();
    assertThat(again.out()).isEmpty();
    assertThat(again.err()).contains("nothing to migrate");
  }

  @Test
  void aSecondWriteKeepsTheFirstBackupAndAddsATimestampedOne() throws Exception {
    Path ini = write("app.ini", "[mailer]\nSEND_BUFFER_LEN = 10\n");
    assertThat(run("migrate", "--write", ini.toString()).exit()).isZero();
    Files.writeString(ini, Files.readString(ini) + "[repository]\nMIRROR_QUEUE_LENGTH = 5\n");
    String second = Files.readString(ini);
    Run r = run("migrate", "--write", ini.toString());
    assertThat(r.exit()).isZero();
    List<Path> backups = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.filter(p -> p.getFileName().toString().startsWith("app.ini.bak.")).forEach(backups::add);
    }
    assertThat(backups).singleElement().satisfies(b -> {
      assertThat(b.getFileName().toString()).matches("app\\.ini\\.bak\\.\\d{8}-\\d{6}");
      assertThat(Files.readString(b)).isEqualTo(second);
    });
    assertThat(Files.readString(dir.resolve("app.ini.bak")))
        .isEqualTo("[mailer]\nSEND_BUFFER_LEN = 10\n");
  }

  @Test
  void migrateWritesThroughASymlinkKeepingIt() throws Exception {
    Path real = write("real.ini", "[mailer]\nSEND_BUFFER_LEN = 10\n");
    Path link = dir.resolve("app.ini");
    Files.createSymbolicLink(link, real);
    assertThat(run("migrate", "--write", link.toString()).exit()).isZero();
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readString(real)).contains("[queue.mail]\nLENGTH = 10\n");
    assertThat(dir.resolve("real.ini.bak")).exists();
  }

  @Test
  void migrateWithAConflictWritesTheRestAndExitsOne() throws Exception {
    Path ini = write("app.ini", "[indexer]\nUPDATE_BUFFER_LEN = 20\nISSUE_INDEXER_QUEUE_BATCH_NUMBER"
        + " = 5\n[queue.issue_indexer]\nLENGTH = 500\n");
    Run r = run("migrate", "--write", ini.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("conflict: " + ini + ":2 [indexer] UPDATE_BUFFER_LEN = 20 not"
        + " moved").contains("after migration: " + ini + ": 1 error, 0 warnings");
    assertThat(Files.readString(ini)).isEqualTo("[indexer]\nUPDATE_BUFFER_LEN = 20\n"
        + "[queue.issue_indexer]\nLENGTH = 500\nBATCH_LENGTH = 5\n");
  }

  @Test
  void migrateOfAnUnreadableLineExitsOneAndWritesNothing() throws Exception {
    Path ini = write("app.ini", "[mailer]\nSEND_BUFFER_LEN 10\n");
    Run r = run("migrate", "--write", ini.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains(":2: key-value delimiter not found: `SEND_BUFFER_LEN 10`");
    assertThat(Files.readString(ini)).isEqualTo("[mailer]\nSEND_BUFFER_LEN 10\n");
    assertThat(dir.resolve("app.ini.bak")).doesNotExist();
  }

  @Test
  void migrateThatCannotWriteExitsTwoAndLeavesTheFile() throws Exception {
    // A name the file system takes, but too long for the temporary file beside it (NAME_MAX):
    // the write fails even for root, after the backup.
    String name = "a".repeat(240) + ".ini";
    Path ini = write(name, "[mailer]\nSEND_BUFFER_LEN = 10\n");
    Run r = run("migrate", "--write", ini.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("config-migrator: cannot write " + ini);
    assertThat(Files.readString(ini)).isEqualTo("[mailer]\nSEND_BUFFER_LEN = 10\n");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(name, name + ".bak");
    }
  }
}
