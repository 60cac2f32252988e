package io.queuekit.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs every benchmark scenario and rewrites {@code BENCHMARKS.md} at the repository root,
 * section by section. The one documented command, from the repository root:
 *
 * <pre>
 * ./mvnw -q -B -pl benchmarks -am package -DskipTests &amp;&amp; java -jar benchmarks/target/benchmarks.jar
 * </pre>
 *
 * <p>Options: {@code --only KEY[,KEY]} runs those scenarios and keeps the other sections as they
 * are (it also runs the on-demand scenarios a full run leaves out, {@link Scenarios#onDemand()}); {@code --output FILE} writes elsewhere; {@code --list} lists the scenarios with their
 * estimated time and whether they can run here, and writes nothing.
 *
 * <p>The file is written only when every scenario that ran succeeded (a failure prints its stack
 * trace and exits 1, leaving the file as it was), and atomically. A scenario that cannot run here
 * (its backend jar or server is absent) gets a section saying so. Every section states its own
 * method, JMH settings, machine and date; the first section states the run's.
 *
 * <p>Run it on a quiet machine: absolute numbers drift with whatever else runs, the ratios between
 * our side and its baselines (measured in interleaved forks) much less.
 *
 * <p><b>Thread-safety:</b> a command-line entry point; not meant to be called concurrently.
 */
public final class Generator {
  /** The command BENCHMARKS.md tells readers to run. */
  static final String COMMAND = "./mvnw -q -B -pl benchmarks -am package -DskipTests && "
      + "java -jar benchmarks/target/benchmarks.jar";
  /**
   * What the whole run must fit in on a 2-core machine: 15 minutes since the Redis throughput
   * comparison warms up for 10 seconds per fork (14 since the Redis latency sweep joined, 12
   * with the postgres scenario and the metrics-overhead comparison, 10 before);
   * {@code --only KEY} reruns one section.
   */
  static final Duration BUDGET = Duration.ofMinutes(15);

  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT);

  private Generator() {}

  public static void main(String[] args) throws Exception {
    int status;
    try {
      status = run(args);
    } catch (UsageException e) {
      System.err.println("benchmarks: " + e.getMessage());
      System.err.println(usage());
      status = 2;
    }
    System.exit(status);
  }

  static int run(String[] args) throws Exception {
    Optional<Set<String>> only = Optional.empty();
    Optional<Path> output = Optional.empty();
    boolean list = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--only":
          only = Optional.of(new TreeSet<>(Arrays.asList(value(args, ++i, "--only").split(","))));
          break;
        case "--output":
          output = Optional.of(Path.of(value(args, ++i, "--output")));
          break;
        case "--list":
          list = true;
          break;
        case "-h":
        case "--help":
          System.out.println(usage());
          return 0;
        default:
          throw new UsageException("unknown argument \"" + args[i] + "\"");
      }
    }
    List<Scenario> chosen = choose(only);
    if (list) {
      for (Scenario s : Scenarios.every()) {
        System.out.println(s.key() + "\t~" + Text.duration(s.estimate(Scenario.Profile.FULL))
            + "\t" + s.unavailable().map(r -> "skipped here: " + r).orElse("runs here")
            + "\t" + s.title());
      }
      return 0;
    }
    Path file = output.orElseGet(Generator::defaultOutput);
    // Read (and check) the existing file before spending minutes measuring.
    BenchmarksFile existing = BenchmarksFile.parse(Files.exists(file)
        ? Files.readString(file, StandardCharsets.UTF_8) : "");

    Duration estimate = Duration.ZERO;
    for (Scenario s : chosen) {
      if (s.unavailable().isEmpty()) {
        estimate = estimate.plus(s.estimate(Scenario.Profile.FULL));
      }
    }
    System.err.println("benchmarks: running " + chosen.stream().map(Scenario::key).toList()
        + ", estimated " + Text.duration(estimate) + "; writing " + file);
    if (estimate.compareTo(BUDGET) > 0) {
      // ScenarioSmokeTest keeps the sum of the stated settings under budget; this only warns.
      System.err.println("benchmarks: WARNING: the estimate exceeds the " + Text.duration(BUDGET)
          + " budget; shorten a scenario's settings");
    }

    Machine machine = Machine.current();
    ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
    long t0 = System.nanoTime();
    double loadStart = Machine.loadAverage();
    Map<String, String> sections = new LinkedHashMap<>();
    for (Scenario s : chosen) {
      Optional<String> skip = s.unavailable();
      String when = WHEN.format(ZonedDateTime.now(ZoneOffset.UTC));
      if (skip.isPresent()) {
        System.err.println("benchmarks: skipping " + s.key() + ": " + skip.get());
        sections.put(s.key(), "## " + s.title() + "\n\n_Skipped on " + when + ": " + skip.get()
            + "._\n");
        continue;
      }
      System.err.println("benchmarks: " + s.key() + " (~"
          + Text.duration(s.estimate(Scenario.Profile.FULL)) + ")");
      double before = Machine.loadAverage();
      long st = System.nanoTime();
      Scenario.Result r = s.run(Scenario.Profile.FULL, false);
      Duration took = Duration.ofNanos(System.nanoTime() - st);
      sections.put(s.key(), "## " + s.title() + "\n\n_Measured " + when + " on "
          + machine.summary() + "; took " + Text.duration(round(took)) + "; load average "
          + load(before) + " → " + load(Machine.loadAverage()) + "._\n\n" + r.markdown());
    }
    Duration took = round(Duration.ofNanos(System.nanoTime() - t0));
    sections.put(BenchmarksFile.RUN_KEY, runSection(args, machine, started, took, estimate,
        loadStart, Machine.loadAverage()));
    String text = existing.with(sections, Scenarios.every().stream().map(Scenario::key).toList())
        .render();
    write(file, text);
    System.err.println("benchmarks: wrote " + file + " in " + Text.duration(took));
    return 0;
  }

  private static List<Scenario> choose(Optional<Set<String>> only) {
    if (only.isEmpty()) {
      return Scenarios.all();
    }
    List<Scenario> all = Scenarios.every();
    Set<String> known = new TreeSet<>();
    all.forEach(s -> known.add(s.key()));
    for (String k : only.get()) {
      if (!known.contains(k)) {
        throw new UsageException("no scenario \"" + k + "\"; scenarios: " + known);
      }
    }
    List<Scenario> out = new ArrayList<>();
    for (Scenario s : all) {
      if (only.get().contains(s.key())) {
        out.add(s);
      }
    }
    return out;
  }

  private static String runSection(String[] args, Machine machine, ZonedDateTime started,
      Duration took, Duration estimate, double loadStart, double loadEnd) {
    String invoked = "java -jar benchmarks/target/benchmarks.jar"
        + (args.length == 0 ? "" : " " + String.join(" ", args));
    return "## How these numbers were made\n\n"
        + Text.table(List.of("", ""), List.of(
            List.of("command", "`" + COMMAND + "` (from the repository root)"),
            List.of("this run", "`" + invoked + "`, started " + WHEN.format(started) + ", took "
                + Text.duration(took) + " (estimated " + Text.duration(estimate) + "; budget "
                + Text.duration(BUDGET) + ")"),
            List.of("machine", machine.summary()),
            List.of("load average (1 min)", load(loadStart) + " at the start, " + load(loadEnd)
                + " at the end; above " + machine.cores() + " means other work shared the "
                + "CPUs during the run")))
        + "\nEach scenario compares our side with a baseline given the same threads, batch "
        + "size, payload and codec, and states its method and settings. **Absolute numbers drift "
        + "with the machine and whatever else runs on it; the ratios between our side and its "
        + "baselines, measured in interleaved forks, hold much better.** Read the ratio and the "
        + "aim, not the items per second. Sections of scenarios not run by this run (see "
        + "`--only`) keep their own date and machine line.\n";
  }

  private static String load(double l) {
    return Double.isNaN(l) ? "n/a" : String.format(Locale.ROOT, "%.2f", l);
  }

  private static Duration round(Duration d) {
    return Duration.ofSeconds(Math.max(1, Math.round(d.toMillis() / 1000.0)));
  }

  /** BENCHMARKS.md in the repository root: the nearest directory up with mvnw and benchmarks/. */
  private static Path defaultOutput() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("mvnw"))
          && Files.isRegularFile(d.resolve("benchmarks").resolve("pom.xml"))) {
        return d.resolve("BENCHMARKS.md");
      }
    }
    throw new UsageException("cannot find the repository root (a directory holding mvnw and "
        + "benchmarks/pom.xml) above " + dir + "; run from the repository or pass --output FILE");
  }

  private static void write(Path file, String text) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, ".BENCHMARKS", ".md.tmp");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new UsageException(option + " needs a value");
    }
    return args[i];
  }

  private static String usage() {
    return "usage: java -jar benchmarks/target/benchmarks.jar [--only KEY[,KEY]] [--output FILE] "
        + "[--list]\n  scenarios: "
        + String.join(", ", Scenarios.all().stream().map(Scenario::key).toList())
        + "\n  on demand (--only): "
        + String.join(", ", Scenarios.onDemand().stream().map(Scenario::key).toList())
        + "\n  build first: ./mvnw -q -B -pl benchmarks -am package -DskipTests";
  }

  /** A bad command line: exit 2 with the usage. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
