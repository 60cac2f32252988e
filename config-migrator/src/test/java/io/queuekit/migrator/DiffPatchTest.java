package io.queuekit.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The diff {@code migrate} prints is one the real {@code patch} applies: applied to a copy of the
 * original, it gives byte for byte what {@code migrate --write} writes. Each file is tried with
 * LF and CRLF line endings, with and without a final newline, so that the last line is kept,
 * replaced, removed, or followed by added lines, as diff marks them ({@code \ No newline at end
 * of file}).
 */
class DiffPatchTest {
  @TempDir
  Path dir;

  /** Files whose migration touches their end; {@code %n} is each line break. */
  private static final List<String> FILES = List.of(
      // the last line moves to a section appended at the end
      "[queue]%nTYPE = level%n[mailer]%nSEND_BUFFER_LEN = 100",
      // the last line stays, and a section is appended after it
      "[mailer]%nSEND_BUFFER_LEN = 100%n[x]%nA = 1",
      // the last line is deleted (it sets nothing) and nothing is appended
      "[mailer]%nKEEP = 1%nSEND_BUFFER_LEN =",
      // the last line is rewritten in place
      "[queue]%nTYPE = redis%nCONN_STR = addrs=h:6379 db=2",
      // the last line is rewritten, and a section is appended after it
      "[mailer]%nSEND_BUFFER_LEN = 100%n[queue]%nTYPE = redis%nCONN_STR = addrs=h:6379 db=2",
      // changes in two hunks, the second at the end
      "[mailer]%nSEND_BUFFER_LEN = 100%n; 1%n; 2%n; 3%n; 4%n; 5%n; 6%n; 7%n[task]%nQUEUE_LENGTH = 7");

  static Stream<Arguments> files() {
    List<Arguments> out = new ArrayList<>();
    for (String f : FILES) {
      for (String eol : new String[] {"\n", "\r\n"}) {
        String text = f.replace("%n", eol);
        out.add(Arguments.of(text, eol.length() == 2 ? "CRLF" : "LF", "no final newline"));
        out.add(Arguments.of(text + eol, eol.length() == 2 ? "CRLF" : "LF", "final newline"));
      }
    }
    // CRLF with one LF line, odd spacing, a password, no final newline
    out.add(Arguments.of(MigrationTest.EVERYTHING, "CRLF and LF", "no final newline"));
    return out.stream();
  }

  @ParameterizedTest(name = "[{index}] {1}, {2}: {0}")
  @MethodSource("files")
  void patchAppliesTheDiffAndGivesWhatWriteWrites(String text, String eol, String end)
      throws Exception {
    assumeTrue(patchIsInstalled(), "the patch tool is not installed");
    byte[] original = text.getBytes(StandardCharsets.UTF_8);
    Path written = dir.resolve("app.ini");
    Files.write(written, original);
    CliTest.Run diff = CliTest.run("migrate", "--show-secrets", written.toString());
    assertThat(diff.out()).as(diff.err()).startsWith("--- " + written);
    CliTest.Run write = CliTest.run("migrate", "--write", written.toString());
    assertThat(write.err()).contains("wrote " + written);

    Path patched = dir.resolve("patched.ini");
    Files.write(patched, original);
    Path diffFile = dir.resolve("migrate.diff");
    Files.writeString(diffFile, diff.out(), StandardCharsets.UTF_8);
    String patchOut = patch(patched, diffFile);
    assertThat(new String(Files.readAllBytes(patched), StandardCharsets.UTF_8))
        .as("patch output: %s%ndiff:%n%s", patchOut, diff.out())
        .isEqualTo(new String(Files.readAllBytes(written), StandardCharsets.UTF_8));
    assertThat(diff.out().contains(UnifiedDiff.NO_NEWLINE)).as(diff.out())
        .isEqualTo(!text.endsWith("\n"));
  }

  /** The operator's file: no blank line is added, and the moved line is in the diff. */
  @Test
  void aMovedLastLineWithoutFinalNewlineIsInTheDiffAndAddsNoBlankLine() throws Exception {
    Path ini = dir.resolve("app.ini");
    Files.writeString(ini, "[queue]\nTYPE = level\n[mailer]\nSEND_BUFFER_LEN = 100");
    assertThat(CliTest.run("migrate", ini.toString()).out()).isEqualTo(String.join("\n",
        "--- " + ini,
        "+++ " + ini,
        "@@ -1,4 +1,6 @@",
        " [queue]",
        " TYPE = level",
        " [mailer]",
        "-SEND_BUFFER_LEN = 100",
        UnifiedDiff.NO_NEWLINE,
        "+",
        "+[queue.mail]",
        "+LENGTH = 100",
        UnifiedDiff.NO_NEWLINE,
        ""));
    CliTest.run("migrate", "--write", ini.toString());
    assertThat(Files.readString(ini)).isEqualTo("[queue]\nTYPE = level\n[mailer]\n\n"
        + "[queue.mail]\nLENGTH = 100");
  }

  /**
   * A masked password never matches the file: the diff says so on standard error, and names the
   * two ways that work, which a diff without a password does not need.
   */
  @Test
  void aDiffWithAMaskedPasswordSaysPatchWillNotApplyItAndWhatToUseInstead() throws Exception {
    Path ini = dir.resolve("app.ini");
    String text = "[queue]\nTYPE = redis\nCONN_STR = addrs=h:6379 password=hunter2 db=2\n";
    Files.writeString(ini, text);
    CliTest.Run masked = CliTest.run("migrate", ini.toString());
    assertThat(masked.out()).contains("-CONN_STR = addrs=h:6379 password=**** db=2")
        .doesNotContain("hunter2");
    assertThat(masked.err()).contains("note: lines of this diff that hold a password show it as"
        + " ****, so patch will not apply them (a - or context line no longer matches " + ini
        + ", and a + line would write ****); apply the migration with --write, or print a diff"
        + " patch applies with --show-secrets (it shows the passwords)");
    assertThat(CliTest.run("migrate", "--show-secrets", ini.toString()).err())
        .doesNotContain("note:");
    Files.writeString(ini, "[queue]\nTYPE = redis\nCONN_STR = redis://:hunter2@h:6379/0\n"
        + "; 1\n; 2\n; 3\n; 4\n[mailer]\nSEND_BUFFER_LEN = 100\n");
    // the password is in no changed line nor context: the diff applies as printed
    CliTest.Run far = CliTest.run("migrate", ini.toString());
    assertThat(far.out()).doesNotContain("CONN_STR");
    assertThat(far.err()).doesNotContain("note:");
    if (patchIsInstalled()) {
      Files.writeString(ini, text);
      Path diffFile = dir.resolve("migrate.diff");
      Files.writeString(diffFile, masked.out(), StandardCharsets.UTF_8);
      Process p = new ProcessBuilder("patch", "--dry-run", "--forward", "--reject-file=-",
          ini.toString()).redirectInput(diffFile.toFile()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("patch.log").toFile()).start();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as("patch refuses the masked diff, as the note says")
          .isNotZero();
    }
  }

  private static boolean patchIsInstalled() {
    try {
      Process p = new ProcessBuilder("patch", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Runs {@code patch FILE < DIFF}, failing the test if it fails or takes over 30 s. */
  private static String patch(Path file, Path diff) throws Exception {
    Path log = file.resolveSibling("patch.log"); // a file: a full pipe cannot stall patch
    Process p = new ProcessBuilder("patch", "--forward", "--no-backup-if-mismatch",
        "--reject-file=-", file.toString())
        .redirectInput(diff.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("patch did not finish in 30 s");
    }
    String out = Files.readString(log);
    assertThat(p.exitValue()).as("patch exit code; its output: %s", out).isZero();
    return out;
  }
}
