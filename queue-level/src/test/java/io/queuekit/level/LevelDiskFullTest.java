package io.queuekit.level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.queuekit.conformance.crash.ChildJvm;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A full disk (issue #10, item 2). Both engines write their log through a memory map, and a store
 * into a mapped page of a full file system is SIGBUS: the native engine took the whole JVM down
 * (exit 134), the Java engine ended with "Cleaner terminated abnormally". So the queue runs in a
 * child JVM on a 16 MiB tmpfs, the test fills the tmpfs with a filler file, and the child must stay
 * alive, refuse writes with a clear {@link io.queuekit.QueueUnavailableException}, keep every
 * accepted item, and take writes again once the filler is deleted, without being reopened.
 */
class LevelDiskFullTest {
  private static final Duration LONG = Duration.ofSeconds(60);

  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aFullDiskRefusesWritesKeepsTheProcessAndEveryItemAndResumes(Engine engine)
      throws IOException {
    assumeTrue(engine == Engine.JAVA || Engine.nativeAvailable(),
        "leveldbjni's native library does not load on " + Engine.platform());
    try (Tmpfs fs = Tmpfs.mount(tmp.resolve("small"), "16m")) {
      Path db = fs.dir().resolve("db");
      // A child that dies of SIGBUS (the bug) writes its crash report here, not into the module.
      String errorFile = "-XX:ErrorFile=" + tmp.resolve("hs_err_%p.log");
      try (ChildJvm child = ChildJvm.start(LevelChildMain.class, List.of(errorFile),
          List.of("diskfull", db.toString(), engine.option(), tmp.resolve("other").toString()))) {
        child.awaitLine("READY", LONG);
        assertThat(ask(child, "PUSH 100")).isEqualTo("PUSH ok 100");
        assertThat(ask(child, "CLAIM 10")).isEqualTo("CLAIM 10");

        // Fill the file system until the guard refuses a push: a push goes in after each chunk.
        Path filler = fs.dir().resolve("filler");
        String refused = null;
        boolean full = false;
        try (FileChannel out = FileChannel.open(filler, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE)) {
          while (refused == null) {
            full = !write(out, 256 << 10);
            String answer = ask(child, "PUSH 2");
            if (answer.startsWith("PUSH refused")) {
              refused = answer;
            } else {
              assertThat(answer).isEqualTo("PUSH ok 2");
              assertThat(full).as("a push was accepted on a full disk").isFalse();
            }
          }
          assertThat(full).as("the guard refused before the disk was full (its reserve)")
              .isFalse();
          // Then take the last bytes too: LevelDB must not even be asked to write now.
          while (write(out, 4096)) {
            // until ENOSPC
          }
        }
        String dir = db.toRealPath().toString();
        assertThat(refused).contains("QueueUnavailableException").contains("queue \"full\"")
            .contains(dir).contains("the disk is full").contains("usable on tmpfs")
            .contains("free space").contains("nothing of this call was stored");
        assertThat(Files.getFileStore(fs.dir()).getUsableSpace()).isLessThan(64 << 10);

        assertThat(ask(child, "PUSH 1")).startsWith("PUSH refused 0 ")
            .contains("queue \"full\"").contains(dir).contains("free space");
        assertThat(ask(child, "OTHER")).as("a queue on another disk carries on")
            .isEqualTo("OTHER ok 1");
        // Settling writes too: it is refused as cleanly (or succeeds), never kills the process.
        String ack = ask(child, "ACK");
        assertThat(ack).satisfiesAnyOf(
            a -> assertThat(a).isEqualTo("ACK ok 10"),
            a -> assertThat(a).startsWith("ACK refused").contains("queue \"full\"")
                .contains("the disk is full"));
        assertThat(child.process().isAlive()).as("child alive" + child.describe()).isTrue();

        // Space returns: writes resume in the same queue, no reopen.
        Files.delete(filler);
        assertThat(ask(child, "PUSH 5")).isEqualTo("PUSH ok 5");
        if (!ack.startsWith("ACK ok")) {
          assertThat(ask(child, "ACK")).isEqualTo("ACK ok 10");
        }
        // Every accepted, unsettled item is stored: the child closes, reopens and claims them all.
        assertThat(ask(child, "CHECK")).matches("CHECK found \\d+ missing \\[\\]");
        child.send("QUIT");
        child.awaitLine("DONE", LONG);
        assertThat(child.awaitExit(LONG)).as(child.describe()).isZero();
        assertThat(child.stderr()).doesNotContain("SIGBUS").doesNotContain("Cleaner terminated")
            .contains("writes resume");
      }
    }
  }

  /** Sends one command and returns the child's answer (the line starting with its word). */
  private static String ask(ChildJvm child, String command) {
    child.send(command);
    String answer = child.awaitLine(command.split(" ")[0] + " ", LONG);
    assertThat(answer).as(child.describe()).doesNotStartWith("FAILED");
    return answer;
  }

  /** Appends {@code bytes} zeros; false when the file system is full (ENOSPC). */
  private static boolean write(FileChannel out, int bytes) {
    ByteBuffer chunk = ByteBuffer.allocate(bytes);
    try {
      while (chunk.hasRemaining()) {
        out.write(chunk);
      }
      return true;
    } catch (IOException full) {
      return false;
    }
  }
}
