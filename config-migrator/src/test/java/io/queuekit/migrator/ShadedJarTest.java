package io.queuekit.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.conformance.crash.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar in a child JVM, as the README runs it: {@code java -jar
 * config-migrator-VERSION.jar check app.ini}. Runs in the package phase (see the pom), with the
 * jar's path in the system property {@code shadedJar}.
 */
class ShadedJarTest {
  @TempDir
  Path dir;

  record Run(int exit, String out, String err) {}

  private static Run java(String... args) {
    return javaWith(List.of(), args);
  }

  private static Run javaWith(List<String> jvmArgs, String... args) {
    String jar = System.getProperty("shadedJar");
    assertThat(jar).as("system property shadedJar").isNotNull();
    assertThat(Path.of(jar)).exists();
    // as an operator runs it: no start-up flags but the test's own
    try (ChildJvm child = ChildJvm.jar(Path.of(jar)).fastStart(false).jvmArgs(jvmArgs).args(args)
        .start()) {
      int exit = child.awaitExit(Duration.ofSeconds(60));
      return new Run(exit, child.stdout(), child.stderr());
    }
  }

  @Test
  void outOfMemoryIsOneLineAndExit70() throws Exception {
    // a file far larger than the heap: the documented exit, not a stack trace
    Path ini = dir.resolve("huge.ini");
    StringBuilder b = new StringBuilder("[queue]\n");
    for (int i = 0; b.length() < 8_000_000; i++) {
      b.append("; comment line ").append(i).append(" padding padding padding padding\n");
    }
    Files.writeString(ini, b);
    Run r = javaWith(List.of("-Xmx12m", "-XX:TieredStopAtLevel=1"), "check", ini.toString());
    assertThat(r.exit()).as(r.err()).isEqualTo(70);
    assertThat(r.err().strip().lines()).singleElement()
        .satisfies(line -> assertThat(line).startsWith("config-migrator: out of memory"));
  }

  /** A Redis queue's rules load the backend, which logs through SLF4J: no binding, three warnings. */
  @Test
  void aRedisConfigIsCheckedWithoutNoise() throws Exception {
    Path ini = dir.resolve("redis.ini");
    Files.writeString(ini, "[queue]\nTYPE = redis\nCONN_STR = redis://127.0.0.1:1/0\n");
    Run check = java("check", ini.toString());
    assertThat(check.exit()).as(check.err()).isZero();
    assertThat(check.err()).as("no SLF4J or other noise").isEmpty();
    Run migrate = java("migrate", ini.toString());
    assertThat(migrate.exit()).as(migrate.err()).isZero();
    // its one line on standard error, so standard output stays a diff
    assertThat(migrate.err()).isEqualTo(ini + ": nothing to migrate\n");
  }

  @Test
  void checkMigrateWriteThenCheckAgain() throws Exception {
    Path ini = dir.resolve("app.ini");
    Files.write(ini, MigrationTest.EVERYTHING.getBytes(StandardCharsets.UTF_8));

    Run check = java("check", ini.toString());
    assertThat(check.exit()).as(check.err()).isEqualTo(1);
    assertThat(check.out()).endsWith(ini + ": 8 errors, 2 warnings\n");
    assertThat(check.err()).as("no SLF4J or other noise").isEmpty();

    Run migrate = java("migrate", "--write", ini.toString());
    assertThat(migrate.exit()).as(migrate.err()).isZero();
    assertThat(migrate.out()).startsWith("--- " + ini + "\n+++ " + ini + "\n@@ ");
    assertThat(new String(Files.readAllBytes(ini), StandardCharsets.UTF_8))
        .isEqualTo(MigrationTest.EVERYTHING_MIGRATED);

    Run again = java("check", "--strict", "--format", "json", ini.toString());
    assertThat(again.exit()).as(again.out()).isZero();
    assertThat(again.out()).contains("\"ok\" : true").contains("\"findings\" : [ ]");

    Run version = java("--version");
    assertThat(version.out()).matches("config-migrator \\d+\\.\\d+\\.\\d+.*\\n");
  }

  @Test
  void a50MegabyteFileMigratesInA256MegabyteHeap() throws Exception {
    // Memory, not time: before the lean IniFile this needed several GB (BENCHMARKS.md, migrator).
    Path ini = dir.resolve("big.ini");
    StringBuilder b = new StringBuilder(MigrationTest.EVERYTHING.replace("\r\n", "\n"))
        .append("\n\n");
    try (var w = Files.newBufferedWriter(ini, StandardCharsets.UTF_8)) {
      w.append(b);
      long size = b.length();
      for (int n = 0; size < 50_000_000; n++) {
        b.setLength(0);
        b.append("[section").append(n).append("]\n; ten keys\n");
        for (int k = 0; k < 10; k++) {
          b.append("KEY_").append(k).append(" = value ").append(k).append(" of ").append(n)
              .append('\n');
        }
        if (n % 100 == 0) {
          b.append("[queue.q").append(n).append("]\nTYPE = redis\n")
              .append("CONN_STR = addrs=127.0.0.1:6379 db=").append(n % 16).append('\n');
        }
        w.append(b);
        size += b.length();
      }
    }
    Run r = javaWith(List.of("-Xmx256m"), "migrate", "--write", ini.toString());
    assertThat(r.exit()).as(r.err().lines().reduce((x, y) -> y).orElse("")).isZero();
    assertThat(r.err()).contains("wrote " + ini);
    assertThat(r.out()).contains("+CONN_STR = redis://127.0.0.1:6379/4");
    assertThat(Files.readString(ini)).contains("[queue.issue_indexer]\nTYPE = redis\n")
        .doesNotContain("SEND_BUFFER_LEN");
  }
}
