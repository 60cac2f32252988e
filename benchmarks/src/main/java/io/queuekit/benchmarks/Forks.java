package io.queuekit.benchmarks;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a main class of this jar in a child JVM on the same class path and reads back the one
 * result line it prints ({@link #resultLine}), as the latency harness does for its forks. A child
 * that hangs is killed at its time limit; one that fails (non-zero exit, no result line) fails the
 * caller with the child's output.
 */
final class Forks {
  private static final String RESULT_PREFIX = "FORK-RESULT ";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Forks() {}

  /** A started child, for callers that run several at once. */
  static final class Child {
    final String name;
    final Process process;
    final Duration limit;

    private Child(String name, Process process, Duration limit) {
      this.name = name;
      this.process = process;
      this.limit = limit;
    }
  }

  /** Starts {@code main} with {@code args} in a child JVM. */
  static Child start(String name, Class<?> main, List<String> jvmArgs, List<String> args,
      Duration limit) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    return new Child(name, p, limit);
  }

  /** Waits for a started child and parses its result line as {@code type}. */
  static <T> T await(Child c, JavaType type) throws IOException, InterruptedException {
    AtomicBoolean killed = new AtomicBoolean();
    // A watchdog, because a child that hangs with its stdout open would block readLine forever.
    Thread watchdog = new Thread(() -> {
      try {
        if (!c.process.waitFor(c.limit.toMillis(), TimeUnit.MILLISECONDS)) {
          killed.set(true);
          c.process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        // The parent finished reading and no longer needs the watchdog.
        Thread.currentThread().interrupt();
      }
    }, "fork-watchdog-" + c.name);
    watchdog.setDaemon(true);
    watchdog.start();
    T result = null;
    StringBuilder other = new StringBuilder();
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(c.process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith(RESULT_PREFIX)) {
          result = JSON.readValue(line.substring(RESULT_PREFIX.length()), type);
        } else {
          other.append(line).append('\n');
        }
      }
    }
    int exit = c.process.waitFor();
    watchdog.interrupt();
    if (killed.get()) {
      throw new IllegalStateException("fork " + c.name + " still running after "
          + Text.duration(c.limit) + "; killed it. Its output:\n" + other);
    }
    if (exit != 0 || result == null) {
      throw new IllegalStateException("fork " + c.name + " failed (exit " + exit
          + "); its output:\n" + other);
    }
    return result;
  }

  /** Runs one child to the end. */
  static <T> T run(String name, Class<?> main, List<String> jvmArgs, List<String> args,
      Duration limit, Class<T> type) throws IOException, InterruptedException {
    return await(start(name, main, jvmArgs, args, limit), JSON.constructType(type));
  }

  static JavaType type(Class<?> c) {
    return JSON.constructType(c);
  }

  /** What a child prints for the parent to read. */
  static String resultLine(Object result) throws IOException {
    return RESULT_PREFIX + JSON.writeValueAsString(result);
  }

  /** Ends started children: SIGTERM, then SIGKILL for any still running after 10 s. */
  static void stop(List<Child> children) throws InterruptedException {
    for (Child ch : children) {
      ch.process.destroy();
    }
    for (Child ch : children) {
      if (!ch.process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        ch.process.destroyForcibly().waitFor();
      }
    }
  }
}
