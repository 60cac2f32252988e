package io.queuekit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The README's demo, run in-process on a small mix: it exits 0 and accounts for every item. */
class DemoServiceTest {
  @TempDir Path data;

  private String run(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int code = new CommandLine(new DemoService(out)).execute(args);
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isZero();
    return text;
  }

  @Test
  void accountsForEveryPushedItemOnTheInMemoryBackend() {
    String out = run("--type", "channel", "--data", data.toString(), "--items", "300",
        "--search-down", "1s");
    assertThat(out).contains("every pushed item is accounted for");
    assertThat(out).contains("malformed: negative issue id -1");
    assertThat(out).doesNotContain("MISMATCH");
  }

  @Test
  void runsOnLevelDbByDefaultAndASecondRunFindsTheFirstRunsData() {
    String first = run("--data", data.toString(), "--items", "300", "--search-down", "1s");
    assertThat(first).contains("backend: level").contains("every pushed item is accounted for")
        .doesNotContain("earlier run");
    String second = run("--data", data.toString(), "--items", "300", "--search-down", "1s");
    assertThat(second).contains("found data from an earlier run")
        .contains("found 0 waiting and 1 dead letters from an earlier run")
        .contains("every pushed item is accounted for");
  }
}
