package io.queuekit.benchmarks;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuekit.conformance.crash.ChildJvm;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of this jar in a child JVM on the same class path and reads back the one
 * result line it prints ({@link #resultLine}): every benchmark fork goes through here. A child that
 * hangs is killed at its time limit; one that fails (non-zero exit, no result line) fails the
 * caller with the tail of the child's output.
 *
 * <p>The children are conformance-tests' {@link ChildJvm} (the one launcher of {@code java}),
 * with {@linkplain ChildJvm.Builder#fastStart(boolean) fast start off}: a fork is measured, so its
 * code must reach C2 unless the caller's JVM arguments say otherwise.
 *
 * <p><b>Thread-safety:</b> one thread starts and awaits a given child.
 */
final class Forks {
  private static final String RESULT_PREFIX = "FORK-RESULT ";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Forks() {}

  /** A started child, for callers that run several at once. */
  static final class Child {
    final String name;
    final ChildJvm jvm;
    final Process process;
    final Duration limit;

    private Child(String name, ChildJvm jvm, Duration limit) {
      this.name = name;
      this.jvm = jvm;
      this.process = jvm.process();
      this.limit = limit;
    }
  }

  /** Starts {@code main} with {@code args} in a child JVM. */
  static Child start(String name, Class<?> main, List<String> jvmArgs, List<String> args,
      Duration limit) {
    return new Child(name, ChildJvm.of(main).fastStart(false).jvmArgs(jvmArgs).args(args).start(),
        limit);
  }

  /** Waits for a started child, parses its result line as {@code type}, and cleans it up. */
  static <T> T await(Child c, JavaType type) throws IOException, InterruptedException {
    try {
      if (!c.process.waitFor(c.limit.toMillis(), TimeUnit.MILLISECONDS)) {
        c.jvm.kill();
        throw new IllegalStateException("fork " + c.name + " still running after "
            + Text.duration(c.limit) + "; killed it." + c.jvm.describe());
      }
      // exited: this only waits for the readers to reach the end of its output
      int exit = c.jvm.awaitExit(Duration.ofSeconds(30));
      String result = c.jvm.stdout().lines().filter(l -> l.startsWith(RESULT_PREFIX))
          .reduce((first, last) -> last).orElse(null);
      if (exit != 0 || result == null) {
        throw new IllegalStateException("fork " + c.name + " failed (exit " + exit + ", "
            + (result == null ? "no" : "a") + " result line)." + c.jvm.describe());
      }
      return JSON.readValue(result.substring(RESULT_PREFIX.length()), type);
    } finally {
      c.jvm.close();
    }
  }

  /** Runs one child to the end. */
  static <T> T run(String name, Class<?> main, List<String> jvmArgs, List<String> args,
      Duration limit, Class<T> type) throws IOException, InterruptedException {
    return await(start(name, main, jvmArgs, args, limit), type(type));
  }

  /** Runs one child to the end, its result a generic type ({@code List<Round>}). */
  static <T> T run(String name, Class<?> main, List<String> jvmArgs, List<String> args,
      Duration limit, TypeReference<T> type) throws IOException, InterruptedException {
    return await(start(name, main, jvmArgs, args, limit),
        JSON.getTypeFactory().constructType(type));
  }

  static JavaType type(Class<?> c) {
    return JSON.constructType(c);
  }

  /** What a child prints for the parent to read. */
  static String resultLine(Object result) throws IOException {
    return RESULT_PREFIX + JSON.writeValueAsString(result);
  }

  /**
   * Ends started children: SIGTERM (they close their queues), then SIGKILL for any still running
   * after 10 s; removes their temporary directories.
   */
  static void stop(List<Child> children) throws InterruptedException {
    for (Child ch : children) {
      ch.process.destroy();
    }
    for (Child ch : children) {
      ch.process.waitFor(10, TimeUnit.SECONDS);
      ch.jvm.close();
    }
  }
}
