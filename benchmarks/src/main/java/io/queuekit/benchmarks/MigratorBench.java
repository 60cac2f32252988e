package io.queuekit.benchmarks;

import io.queuekit.conformance.crash.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The config migrator on large files: wall time and peak heap of {@code java -jar
 * config-migrator.jar migrate FILE}, each run in a fresh JVM, for generated files of 5 MB and
 * 50 MB in two shapes, written to the {@code migrator} section of BENCHMARKS.md.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.queuekit.benchmarks.MigratorBench \
 *     --jar config-migrator/target/config-migrator-VERSION.jar [--xmx 256m] \
 *     [--baseline-jar OLD.jar --baseline-name TEXT] [--limit-seconds 120] \
 *     [--output BENCHMARKS.md]
 * </pre>
 *
 * <p>The peak heap is the largest heap in use when a collection started, from the child's GC log
 * ({@code -Xlog:gc}): an upper bound of what the run needed between two collections. The jar
 * under test runs with {@code --xmx} (the heap it must fit); a baseline jar (an older build, for
 * the "before" figures) runs with 8 GB. Every run stops at {@code --limit-seconds}. A run that
 * fails or exceeds its limit is reported as such; where the jar under test fails in {@code
 * --xmx}, it runs again with 512 MB, 1 GB, 2 GB until one suffices, to show what it needs. Not a JMH benchmark: each figure is one
 * run, start-up included.
 */
public final class MigratorBench {
  private static final Pattern GC_HEAP = Pattern.compile("\\) (\\d+)M->(\\d+)M\\(");
  private static final List<Integer> SIZES_MB = List.of(5, 50);

  private MigratorBench() {}

  /** One file shape: how the generated file is made. */
  enum Shape {
    /**
     * An app.ini with every removed queue option at the top, then many ordinary sections of ten
     * keys, and every 100th a {@code [queue.NAME]} whose old {@code key=value} CONN_STR converts.
     */
    SECTIONS("many sections of ten keys; every removed option; one [queue.NAME] to convert per"
        + " 100 sections"),
    /** Only [queue.NAME] sections, each with an old CONN_STR to convert and keys to check. */
    QUEUES("every section a [queue.NAME] with an old CONN_STR to convert and 10 keys to check");

    final String description;

    Shape(String description) {
      this.description = description;
    }
  }

  /** What one run measured. */
  record Run(boolean ok, String outcome, double seconds, long peakMb) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = options(args);
    Path jar = Path.of(require(opts, "--jar"));
    String xmx = opts.getOrDefault("--xmx", "256m");
    Optional<Path> baseline = Optional.ofNullable(opts.get("--baseline-jar")).map(Path::of);
    String baselineName = opts.getOrDefault("--baseline-name", "baseline");
    Path output = Path.of(opts.getOrDefault("--output", "BENCHMARKS.md"));
    long limit = Long.parseLong(opts.getOrDefault("--limit-seconds", "120"));
    Path dir = Files.createTempDirectory("migrator-bench");
    StringBuilder md = new StringBuilder();
    md.append("## migrator: `config-migrator migrate` on large files\n\n");
    md.append("Measured ").append(ZonedDateTime.now(ZoneOffset.UTC)
        .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"))).append(" on ")
        .append(Machine.current().cores()).append(" cores by `io.queuekit.benchmarks.MigratorBench`"
            + " (command in benchmarks/README.md). Each figure is one run of `java -jar"
            + " config-migrator.jar migrate FILE` in a fresh JVM, start-up included, diff to"
            + " /dev/null. Peak heap: the largest heap in use when a garbage collection started"
            + " (`-Xlog:gc`).\n\n");
    md.append("| file | size | ").append(baseline.isPresent() ? baselineName + " (-Xmx8g) | " : "")
        .append("now (-Xmx").append(xmx).append(") |\n");
    md.append("|---|---|").append(baseline.isPresent() ? "---|" : "").append("---|\n");
    try {
      for (Shape shape : Shape.values()) {
        for (int mb : SIZES_MB) {
          Path file = dir.resolve(shape.name().toLowerCase(Locale.ROOT) + "-" + mb + "mb.ini");
          generate(shape, mb * 1_000_000L, file);
          md.append("| ").append(shape.name().toLowerCase(Locale.ROOT)).append(" | ").append(mb)
              .append(" MB | ");
          if (baseline.isPresent()) {
            md.append(cell(run(baseline.get(), "8g", file, dir, limit)))
                .append(" | ");
          }
          Run now = run(jar, xmx, file, dir, limit);
          md.append(cell(now));
          // what it needs, then: the smallest of these heaps it runs in
          for (String more : now.ok() ? List.<String>of() : List.of("512m", "1g", "2g")) {
            Run r = run(jar, more, file, dir, limit);
            md.append("; with -Xmx").append(more).append(": ").append(cell(r));
            if (r.ok()) {
              break;
            }
          }
          md.append(" |\n");
          Files.delete(file);
          System.err.println("done: " + shape + " " + mb + " MB");
        }
      }
    } finally {
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
    md.append("\nShapes: ");
    for (Shape s : Shape.values()) {
      md.append("`").append(s.name().toLowerCase(Locale.ROOT)).append("`: ").append(s.description)
          .append(". ");
    }
    md.append("The `queues` shape is the worst case: every section is edited and checked, and each"
        + " edit prints a step and a diff hunk and leaves findings for the final check.\n");
    String old = Files.exists(output) ? Files.readString(output) : "";
    String text = BenchmarksFile.parse(old).with(Map.of("migrator", md.toString()), List.of())
        .render();
    Path tmp = Files.createTempFile(output.toAbsolutePath().getParent(), ".benchmarks", ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    System.out.print(md);
  }

  private static String cell(Run r) {
    return r.ok() ? String.format(Locale.ROOT, "%.1f s, %d MB peak heap", r.seconds(), r.peakMb())
        : r.outcome() + String.format(Locale.ROOT, " after %.1f s", r.seconds());
  }

  /** Runs {@code migrate file} with {@code jar} in a child JVM with heap {@code xmx}. */
  static Run run(Path jar, String xmx, Path file, Path dir, long limitSeconds)
      throws IOException, InterruptedException {
    Path gc = dir.resolve("gc.log");
    long start = System.nanoTime();
    // the diff on standard output is as large as the file: nobody reads it
    try (ChildJvm child = ChildJvm.jar(jar).fastStart(false).discardStdout()
        .jvmArgs(List.of("-Xmx" + xmx, "-Xlog:gc:file=" + gc))
        .args("migrate", file.toString()).start()) {
      boolean finished = child.process().waitFor(limitSeconds, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      if (!finished) {
        child.kill();
        return new Run(false, "stopped at the " + limitSeconds + " s limit", seconds, -1);
      }
      int exit = child.awaitExit(Duration.ofSeconds(30));
      long peak = peakHeapMb(Files.readAllLines(gc));
      // exit 0 clean, 1 findings left (still migrated); 70 is out of memory
      if (exit > 1) {
        return new Run(false, "exit " + exit + (child.stderr().contains("out of memory")
            ? " (out of memory)" : ""), seconds, peak);
      }
      return new Run(true, "ok", seconds, peak);
    }
  }

  static long peakHeapMb(List<String> gcLog) {
    long peak = 0;
    for (String line : gcLog) {
      Matcher m = GC_HEAP.matcher(line);
      if (m.find()) {
        peak = Math.max(peak, Long.parseLong(m.group(1)));
      }
    }
    return peak;
  }

  /** Writes a file of about {@code bytes} bytes of {@code shape}. */
  static void generate(Shape shape, long bytes, Path file) {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      long size = 0;
      if (shape == Shape.SECTIONS) {
        String head = "; generated app.ini\nAPP_NAME = Gitea\nRUN_MODE = prod\n\n[indexer]\n"
            + "ISSUE_INDEXER_TYPE = bleve\nISSUE_INDEXER_QUEUE_TYPE = levelqueue\n"
            + "ISSUE_INDEXER_QUEUE_CONN_STR = \"addrs=127.0.0.1:6379 db=0\"\n"
            + "ISSUE_INDEXER_QUEUE_DIR = indexers/issues.queue\n"
            + "ISSUE_INDEXER_QUEUE_BATCH_NUMBER = 20\nUPDATE_BUFFER_LEN = 20\n\n"
            + "[mailer]\nENABLED = true\nSEND_BUFFER_LEN = 100\n\n"
            + "[repository]\nROOT = /var/lib/gitea/repos\nPULL_REQUEST_QUEUE_LENGTH = 1000\n"
            + "MIRROR_QUEUE_LENGTH = 1000\n\n[task]\nQUEUE_TYPE = channel\nQUEUE_LENGTH = 1000\n\n"
            + "[queue]\nTYPE = redis\nCONN_STR = addrs=127.0.0.1:6379 db=0\n\n";
        w.write(head);
        size += head.length();
      }
      StringBuilder b = new StringBuilder();
      for (int n = 0; size < bytes; n++) {
        b.setLength(0);
        if (shape == Shape.SECTIONS) {
          b.append("[section").append(n).append("]\n; section ").append(n).append(": ten keys\n");
          for (int k = 0; k < 10; k++) {
            b.append("KEY_").append(k).append(" = value ").append(k).append(" of section ")
                .append(n).append('\n');
          }
          b.append('\n');
          if (n % 100 == 0) {
            b.append("[queue.q").append(n).append("]\nLENGTH = ").append(1000 + n)
                .append("\nCONN_STR = addrs=127.0.0.1:6379 db=").append(n % 16).append("\n\n");
          }
        } else {
          b.append("[queue.q").append(n).append("]\n; queue ").append(n)
              .append("\nTYPE = redis\nCONN_STR = addrs=127.0.0.1:6379 db=").append(n % 16)
              .append("\nLENGTH = ").append(1000 + n).append("\nBATCH_LENGTH = 20\n")
              .append("MAX_WORKERS = 4\nQUEUE_NAME = _q").append(n).append("\nSET_NAME = _u")
              .append(n).append("\nBATCH_DEBOUNCE = 50ms\nRETRY_DELAY = 1s\n")
              .append("MAX_DELIVERIES = 5\n\n");
        }
        w.append(b);
        size += b.length();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> out = new java.util.HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("usage: MigratorBench --jar JAR [--xmx 256m]"
            + " [--baseline-jar JAR --baseline-name TEXT] [--limit-seconds 120]"
            + " [--output FILE]; bad: "
            + args[i]);
      }
      out.put(args[i], args[++i]);
    }
    return out;
  }

  private static String require(Map<String, String> opts, String key) {
    String v = opts.get(key);
    if (v == null) {
      throw new IllegalArgumentException(key + " is required: the config-migrator jar to measure");
    }
    return v;
  }
}
