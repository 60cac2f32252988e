package io.queuekit.conformance.crash;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real child JVM: the one way this project launches {@code java}. Usually a {@code main} class
 * from the calling JVM's own class path ({@code java.class.path}, which under Surefire is a
 * manifest-only jar naming every entry), for tests that need a second process (a LevelDB lock
 * holder, a worker killed with SIGKILL) and for the benchmarks' forks; or an executable jar
 * ({@link #jar}), as an operator runs the shaded CLI.
 *
 * <p>Each child gets its own {@code java.io.tmpdir} (leveldbjni unpacks its native library there,
 * and leaks it when killed), removed by {@link #close()}. Its standard output is read line by line
 * ({@link #awaitLine}) unless {@linkplain Builder#discardStdout() discarded}; its standard error is
 * kept for {@link #stderr()} and failure messages. By default the child starts fast (C1 only),
 * which suits short-lived test children; a benchmark fork turns that off ({@link
 * Builder#fastStart(boolean)}) so the measured code reaches C2.
 *
 * <p><b>Thread-safety:</b> one thread drives a child; the readers are internal threads.
 */
public final class ChildJvm implements AutoCloseable {
  private static final String EOF = "\u0000EOF";

  private final Process process;
  private final Path tmpDir;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuffer stdout = new StringBuffer();
  private final StringBuffer stderr = new StringBuffer();
  private final Thread outReader;
  private final Thread errReader;

  private ChildJvm(Process process, Path tmpDir, boolean readStdout) {
    this.process = process;
    this.tmpDir = tmpDir;
    if (readStdout) {
      this.outReader = reader(process.getInputStream(), true);
    } else {
      this.outReader = null;
      lines.add(EOF);
    }
    this.errReader = reader(process.getErrorStream(), false);
  }

  /**
   * Starts {@code main} with {@code args} in a new JVM with this JVM's class path, started fast.
   * {@code jvmArgs} come after the child's own {@code -Djava.io.tmpdir}, so they may override it.
   */
  public static ChildJvm start(Class<?> main, List<String> jvmArgs, List<String> args) {
    return of(main).jvmArgs(jvmArgs).args(args).start();
  }

  /** Starts {@code main} with default JVM arguments. */
  public static ChildJvm start(Class<?> main, String... args) {
    return start(main, List.of(), List.of(args));
  }

  /** A child running {@code main} from this JVM's class path ({@code java -cp … main}). */
  public static Builder of(Class<?> main) {
    return new Builder(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
  }

  /** A child running an executable jar ({@code java -jar jar}). */
  public static Builder jar(Path jar) {
    return new Builder(List.of("-jar", jar.toString()));
  }

  /** How to start a child: what it runs, its JVM arguments and arguments, its standard output. */
  public static final class Builder {
    /** What to run, after the JVM options: {@code -cp PATH MAIN} or {@code -jar JAR}. */
    private final List<String> target;
    private List<String> jvmArgs = List.of();
    private List<String> args = List.of();
    private boolean fastStart = true;
    private boolean readStdout = true;

    private Builder(List<String> target) {
      this.target = target;
    }

    /** JVM options ({@code -Xmx96m}, {@code -Dkey=value}), after the child's own. */
    public Builder jvmArgs(List<String> jvmArgs) {
      this.jvmArgs = List.copyOf(jvmArgs);
      return this;
    }

    /** The program's arguments. */
    public Builder args(List<String> args) {
      this.args = List.copyOf(args);
      return this;
    }

    /** The program's arguments. */
    public Builder args(String... args) {
      return args(List.of(args));
    }

    /**
     * {@code -XX:TieredStopAtLevel=1} (C1 only: a short-lived child starts sooner), the default;
     * {@code false} for a child whose speed is measured.
     */
    public Builder fastStart(boolean fastStart) {
      this.fastStart = fastStart;
      return this;
    }

    /**
     * Sends standard output to nowhere instead of reading it, for a child that prints far more
     * than anyone reads (its reading would cost the parent memory and CPU beside a measurement).
     * {@link #awaitLine} then fails at once and {@link #stdout()} is empty.
     */
    public Builder discardStdout() {
      this.readStdout = false;
      return this;
    }

    /** Starts the child. */
    public ChildJvm start() {
      Path tmp;
      try {
        tmp = Files.createTempDirectory("queuekit-child-");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a temporary directory for a child JVM", e);
      }
      List<String> cmd = new ArrayList<>();
      cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Xshare:auto");
      if (fastStart) {
        cmd.add("-XX:TieredStopAtLevel=1");
      }
      cmd.add("-Djava.io.tmpdir=" + tmp);
      cmd.addAll(jvmArgs);
      cmd.addAll(target);
      cmd.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(cmd);
      if (!readStdout) {
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
      }
      try {
        return new ChildJvm(pb.start(), tmp, readStdout);
      } catch (IOException e) {
        deleteTree(tmp);
        throw new UncheckedIOException("cannot start a child JVM: " + cmd, e);
      }
    }
  }

  public Process process() {
    return process;
  }

  public long pid() {
    return process.pid();
  }

  /** The child's private {@code java.io.tmpdir}. */
  public Path tmpDir() {
    return tmpDir;
  }

  /** Writes one line to the child's standard input. */
  public void send(String line) {
    try {
      OutputStream in = process.getOutputStream();
      in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to child " + pid() + " failed", e);
    }
  }

  /**
   * Waits for a line of standard output starting with {@code prefix} and returns it; lines before
   * it are skipped.
   *
   * @throws AssertionError when the child exits first or the timeout passes, with its output
   */
  public String awaitLine(String prefix, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
        if (line == null) {
          throw new AssertionError("child " + pid() + " printed no line starting with \"" + prefix
              + "\" within " + timeout + describe());
        }
        if (line.equals(EOF)) {
          lines.add(EOF);
          throw new AssertionError("child " + pid() + " ended its output before a line starting "
              + "with \"" + prefix + "\"" + describe());
        }
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for child " + pid(), e);
    }
  }

  /** Kills the child with SIGKILL (on Linux, {@code destroyForcibly}) and waits until it is gone. */
  public void kill() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  /** Waits for the child to exit and returns its exit code. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("child " + pid() + " still running after " + timeout
            + describe());
      }
      if (outReader != null) {
        outReader.join(timeout.toMillis());
      }
      errReader.join(timeout.toMillis());
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for child " + pid(), e);
    }
  }

  public String stdout() {
    return stdout.toString();
  }

  public String stderr() {
    return stderr.toString();
  }

  /** Output for failure messages: the last lines of both streams. */
  public String describe() {
    return "\n--- child stdout (tail) ---\n" + tail(stdout.toString())
        + "\n--- child stderr (tail) ---\n" + tail(stderr.toString());
  }

  private static String tail(String s) {
    return s.length() <= 4000 ? s : "…" + s.substring(s.length() - 4000);
  }

  /** Kills the child if it still runs, then removes its temporary directory. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    deleteTree(tmpDir);
  }

  private Thread reader(InputStream in, boolean out) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in,
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          (out ? stdout : stderr).append(line).append('\n');
          if (out) {
            lines.add(line);
          }
        }
      } catch (IOException e) {
        // The stream closes when the child dies; what was read is kept.
        (out ? stdout : stderr).append("[reader stopped: ").append(e).append("]\n");
      } finally {
        if (out) {
          lines.add(EOF);
        }
      }
    }, "child-" + process.pid() + (out ? "-stdout" : "-stderr"));
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Deletes a directory tree; what cannot be deleted is left (a test temp dir). */
  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot delete " + p, e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }
}
