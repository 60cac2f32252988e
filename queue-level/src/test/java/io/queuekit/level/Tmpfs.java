package io.queuekit.level;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for one test: a file system that really fills up or turns read-only.
 * Tests run as root here (CI too); where mounting is refused (no root, no CAP_SYS_ADMIN, not
 * Linux) the test is skipped with the reason, never passed.
 */
final class Tmpfs implements AutoCloseable {
  private final Path dir;

  private Tmpfs(Path dir) {
    this.dir = dir;
  }

  /** Mounts a tmpfs of {@code size} (e.g. {@code 16m}) on {@code dir}, or skips the test. */
  static Tmpfs mount(Path dir, String size) {
    assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux"),
        "needs Linux to mount a tmpfs");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String out = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
    assumeTrue(out == null, "mounting a " + size + " tmpfs on " + dir + " was refused (" + out
        + "); this test needs root or CAP_SYS_ADMIN to fill or freeze a real file system");
    return new Tmpfs(dir);
  }

  Path dir() {
    return dir;
  }

  /** Remounts read-only ({@code ro}) or read-write ({@code rw}). */
  void remount(String mode) {
    String out = run("mount", "-o", "remount," + mode, dir.toString());
    if (out != null) {
      throw new AssertionError("remounting " + dir + " " + mode + " failed: " + out);
    }
  }

  @Override
  public void close() {
    if (run("umount", dir.toString()) != null) {
      run("umount", "-l", dir.toString()); // busy: detach now, freed when the last user goes
    }
  }

  /** Runs a command; null when it succeeded, else its exit code and output. */
  private static String run(String... cmd) {
    try {
      Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd))).redirectErrorStream(true)
          .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "timed out";
      }
      return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out;
    } catch (IOException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e.toString();
    }
  }
}
