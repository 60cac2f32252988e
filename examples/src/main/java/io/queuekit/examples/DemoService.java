package io.queuekit.examples;

import io.queuekit.PermanentFailure;
import io.queuekit.PushResult;
import io.queuekit.QueueConfig;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueSpec;
import io.queuekit.QueueStats;
import io.queuekit.QueueUnavailableException;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.ini.IniQueueConfig;
import io.queuekit.internal.GoDuration;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The demo service of the README's first command: four Gitea-like queues, a realistic mix of
 * items, a search backend that is down for the first seconds (so the issue indexer's items come
 * back with backoff), one malformed item that ends in the dead-letter store, a live progress line
 * per queue and a summary that accounts for every pushed item.
 *
 * <p>LevelDB under {@code ./data} by default; {@code --config FILE}, {@code --redis URI} and {@code
 * --postgres URL} change the setup. Running it again finds the earlier run's data and says so.
 */
@Command(name = "queuekit-demo", mixinStandardHelpOptions = true,
    versionProvider = DemoService.Version.class,
    description = "Pushes a mix of items through four named queues and accounts for every one.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every item accounted for", "1:an item unaccounted for",
        "2:usage or configuration error", "3:a store cannot be reached", "70:internal error",
        "130:stopped by Ctrl-C before the summary"})
public final class DemoService implements Callable<Integer> {
  @Option(names = "--data", defaultValue = "data",
      description = "data path; relative DATADIRs resolve against it (default: ${DEFAULT-VALUE})")
  Path data;

  @Option(names = "--config", description = "an app.ini to read instead of the bundled one")
  Path config;

  @Option(names = "--redis", description = "use Redis at this URI for every queue, e.g. redis://127.0.0.1:6379/0")
  String redis;

  @Option(names = "--postgres", description = "use PostgreSQL at this URL for every queue, e.g. postgres://user:pass@127.0.0.1:5432/db")
  String postgres;

  @Option(names = "--type", description = "backend TYPE for every queue, overriding the INI")
  String type;

  @Option(names = "--items", defaultValue = "2000", description = "issue-index pushes (default: ${DEFAULT-VALUE})")
  int items;

  @Option(names = "--admin", paramLabel = "[HOST:]PORT",
      description = "serve the admin page and API (queue-admin) here; prints its URL and the file "
          + "holding its login URL with the token (queuekit-admin-login.txt in --data)")
  String admin;

  @Option(names = "--admin-allow-remote", description = "allow --admin on an address other than loopback")
  boolean adminAllowRemote;

  @Option(names = "--metrics", description = "bind a Prometheus registry: /metrics on the admin page, "
      + "and the queuekit lines of the scrape printed at the end")
  boolean metrics;

  @Option(names = "--serve", description = "keep running after the summary (a trickle of items, the "
      + "search backend going down and up) until Ctrl-C")
  boolean serve;

  /** Counted down by Ctrl-C (the shutdown hook) or a test: ends --serve. */
  private final java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
  /**
   * Counted down once the queues are closed, or once the command ended without opening any (help,
   * a usage error), so the shutdown hook lets the JVM go only then.
   */
  private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

  @Option(names = "--search-down", defaultValue = "3s",
      description = "how long the search backend is down at start, Go duration (default: ${DEFAULT-VALUE})")
  String searchDown;

  private final PrintStream out;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  DemoService(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    DemoService demo = new DemoService(System.out);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      demo.stop();
      try {
        demo.closed.await(30, TimeUnit.SECONDS); // the queues close (and give items back) first
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "demo-shutdown"));
    int code = commandLine(demo).execute(args);
    // Whatever ended the command, nothing of it is open now: a run closed its queues on the way
    // out, and --help, -V or a usage error opened none (call() never ran, or threw before its
    // first queue). Without this the hook that System.exit starts waited its whole 30 s for a
    // close that never comes.
    demo.closed.countDown();
    System.exit(code);
  }

  /** Ends {@code --serve}, or the run where it is: what Ctrl-C does. */
  void stop() {
    stop.countDown();
  }

  /** The exit code of a run ended by {@link #stop} before its summary (128 + SIGINT). */
  static final int STOPPED = 130;

  private boolean stopped() {
    return stop.getCount() == 0;
  }

  /**
   * The demo's command line: a bad configuration or an unreachable store ends with one line
   * saying so (the library has already logged the details), not a stack trace.
   */
  static CommandLine commandLine(PrintStream out) {
    return commandLine(new DemoService(out));
  }

  static CommandLine commandLine(DemoService demo) {
    PrintStream out = demo.out;
    CommandLine cmd = new CommandLine(demo);
    cmd.setOut(new java.io.PrintWriter(out, true)); // help and -V go where the demo prints
    cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      java.io.PrintWriter err = commandLine.getErr();
      if (e instanceof QueueConfigException) {
        err.println("queuekit demo: " + e.getMessage());
        err.flush();
        return 2;
      }
      if (e instanceof QueueUnavailableException) {
        err.println("queuekit demo: " + e.getMessage());
        err.flush();
        return 3;
      }
      err.println("queuekit demo: internal error: " + e);
      e.printStackTrace(err);
      err.flush();
      return 70;
    });
    return cmd;
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = DemoService.class.getPackage().getImplementationVersion();
      return new String[] {"queuekit-demo " + (v == null ? "(development build)" : v)};
    }
  }

  /** What one queue of the demo saw. Thread-safe. */
  static final class Tally {
    final LongAdder added = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    long leftover;
  }

  /**
   * The bundled {@code app.ini}, or {@code --config}; {@code --type}, {@code --redis} and {@code
   * --postgres} override TYPE.
   */
  private QueueConfig config() throws IOException {
    IniQueueConfig ini;
    if (config != null) {
      if (!Files.isRegularFile(config)) {
        throw new QueueConfigException("--config " + config + ": no such file");
      }
      ini = IniQueueConfig.load(config);
    } else {
      try (InputStream in = DemoService.class.getResourceAsStream("/app.ini")) {
        ini = IniQueueConfig.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8),
            "app.ini (bundled with the demo)");
      }
    }
    if (redis != null && postgres != null) {
      throw new QueueConfigException("--redis and --postgres: choose one backend");
    }
    if (type == null && redis == null && postgres == null) {
      return ini;
    }
    return name -> {
      QueueSettings.Builder b = ini.settings(name).toBuilder();
      if (redis != null) {
        b.type("redis").connStr(redis);
      } else if (postgres != null) {
        b.type("postgres").connStr(postgres);
      } else {
        b.type(type);
      }
      return b.build();
    };
  }

  @Override
  public Integer call() throws Exception {
    // the options a user can get wrong are checked before anything runs: a usage error (exit 2,
    // with the usage), not an internal one with a stack trace after the demo has started
    if (items < 0) {
      throw usage("--items " + items + ": the number of pushes cannot be negative");
    }
    java.time.Duration down = searchDown();
    AdminAddress adminAt = admin == null ? null : adminAddress();
    if ("immediate".equalsIgnoreCase(type)) {
      throw usage("--type immediate: the demo's search backend starts down, so its handler hands "
          + "items back, and an immediate queue returns each to its pusher as an exception; use "
          + "channel, level, redis or postgres");
    }
    boolean earlier = Files.isDirectory(data) && Files.list(data).findAny().isPresent();
    out.printf("queuekit demo: data path %s%s%n", data.toAbsolutePath(),
        earlier ? " (found data from an earlier run; its leftovers are handled and counted)" : "");
    Clock clock = Clock.systemUTC();
    // queuekit's internal parser, so the flag reads like Gitea's settings (not API: a service
    // would use java.time.Duration)
    SearchBackend search = new SearchBackend(clock, down);
    Map<String, Tally> tallies = new LinkedHashMap<>();
    for (String n : List.of("issue_indexer", "mail", "webhook_sender", "repo_stats_update")) {
      tallies.put(n, new Tally());
    }
    Set<Long> failedOnce = ConcurrentHashMap.newKeySet();

    try (QueueManager queues = QueueManager.builder().dataPath(data).clock(clock).config(config()).build()) {
      WorkerPoolQueue<IndexerData> indexer = queues.create(QueueSpec.unique("issue_indexer",
          IndexerData.class, batch -> {
            if (!search.isUp()) {
              return batch; // the backend is down: every item comes back after a backoff
            }
            List<Object> unhandled = new ArrayList<>();
            for (IndexerData d : batch) {
              if (d.id() < 0) {
                unhandled.add(new PermanentFailure(d, "malformed: negative issue id " + d.id()));
              } else {
                search.index(d);
              }
            }
            return unhandled;
          }));
      WorkerPoolQueue<Mail> mail = queues.createSimple("mail", Mail.class, batch -> List.of());
      WorkerPoolQueue<Long> webhooks = queues.createUnique("webhook_sender", Long.class, batch -> {
        List<Long> retry = new ArrayList<>();
        for (long hookTask : batch) {
          if (hookTask % 97 == 0 && failedOnce.add(hookTask)) {
            retry.add(hookTask); // the receiving server answered 502 once
          }
        }
        return retry;
      });
      WorkerPoolQueue<Long> repoStats = queues.createUnique("repo_stats_update", Long.class,
          batch -> List.of());

      for (WorkerPoolQueue<?> q : queues.queues()) {
        Tally t = tallies.get(q.name());
        t.leftover = q.len();
        if (t.leftover > 0 || q.stats().dead() > 0) {
          out.printf("  %-18s found %d waiting and %d dead letters from an earlier run%n", q.name(),
              t.leftover, q.stats().dead());
        }
      }
      out.printf("backend: %s; search backend down for %s%n", indexer.type(), searchDown);
      io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry = null;
      if (metrics) {
        registry = new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
            io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
        new io.queuekit.micrometer.QueuekitMetrics(queues).bindTo(registry);
      }
      io.queuekit.admin.AdminServer adminServer = adminAt == null ? null : startAdmin(queues, registry, adminAt);

      ScheduledExecutorService printer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread th = new Thread(r, "demo-progress");
        th.setDaemon(true);
        return th;
      });
      printer.scheduleAtFixedRate(() -> printProgress(queues), 1, 1, TimeUnit.SECONDS);
      try {
        for (int i = 0; i < items; i++) {
          if (stopped()) {
            out.printf("stopped by Ctrl-C after %d of %d issue-index pushes; what is stored is "
                + "handled by the next run%n", i, items);
            return STOPPED;
          }
          count(tallies, "issue_indexer", indexer.push(new IndexerData(i % (items / 2 + 1), List.of(), false)));
          if (i % 4 == 0) {
            count(tallies, "mail", mail.push(new Mail("user" + i + "@example.com", "Issue #" + i + " updated")));
          }
          if (i % 2 == 0) {
            count(tallies, "webhook_sender", webhooks.push((long) (i % (items / 4 + 1))));
          }
          if (i % 4 == 0) {
            count(tallies, "repo_stats_update", repoStats.push((long) (i % 50)));
          }
          if (i == items / 2) {
            count(tallies, "issue_indexer", indexer.push(new IndexerData(-1, List.of(), false)));
          }
        }
        out.println("pushed everything; flushing");
        // in steps, so Ctrl-C does not wait for the whole flush
        boolean drained = false;
        for (long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            !drained && System.nanoTime() - end < 0; ) {
          if (stopped()) {
            out.println("stopped by Ctrl-C while flushing; what is stored is handled by the next run");
            return STOPPED;
          }
          drained = queues.flushAll(Duration.ofSeconds(1));
        }
        printer.shutdownNow();
        printProgress(queues);
        boolean ok = summary(queues, tallies, drained, search);
        if (registry != null) {
          out.println("metrics (the queuekit lines of the Prometheus scrape):");
          registry.scrape().lines().filter(l -> l.startsWith("queuekit_")).forEach(out::println);
        }
        if (serve) {
          serve(indexer, mail, search);
        }
        return ok ? 0 : 1;
      } finally {
        printer.shutdownNow();
        if (adminServer != null) {
          adminServer.close();
        }
      }
    } finally {
      closed.countDown();
    }
  }

  private io.queuekit.admin.AdminServer startAdmin(QueueManager queues,
      io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry, AdminAddress at) {
    io.queuekit.admin.AdminServer.Builder b = io.queuekit.admin.AdminServer.builder(queues)
        .host(at.host()).port(at.port());
    if (adminAllowRemote) {
      b.allowRemote();
    }
    if (registry != null) {
      b.metrics(registry::scrape);
    }
    io.queuekit.admin.AdminServer server;
    try {
      server = b.start();
    } catch (RuntimeException e) {
      // a host that does not resolve or is not loopback, a port in use: the user's to fix
      if (e instanceof IllegalArgumentException) {
        throw usage("--admin " + admin + ": " + e.getMessage());
      }
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof java.net.BindException) {
          throw usage("--admin " + admin + ": cannot listen there (" + t.getMessage() + ")");
        }
      }
      throw e;
    }
    // the token is a credential: never printed, read from the owner-only file instead
    out.println("admin page: " + server.url() + " (open the login URL in " + server.loginUrlFile().orElseThrow()
        + ": it carries the token)");
    return server;
  }

  /** {@code --admin} as host (loopback when left out) and port. */
  private record AdminAddress(String host, int port) {}

  /** {@code --admin}, read and its port checked (the host is checked when the server starts). */
  private AdminAddress adminAddress() {
    int colon = admin.lastIndexOf(':');
    String host = colon < 0 ? "127.0.0.1" : admin.substring(0, colon);
    try {
      int p = Integer.parseInt(admin.substring(colon + 1));
      if (p >= 0 && p <= 65535) {
        return new AdminAddress(host, p);
      }
    } catch (NumberFormatException e) {
      // the message below says what is expected
    }
    throw usage("--admin " + admin + ": expected [HOST:]PORT with a port of 0..65535, e.g. 8081 "
        + "or 127.0.0.1:8081");
  }

  private java.time.Duration searchDown() {
    try {
      return GoDuration.parse(searchDown);
    } catch (IllegalArgumentException e) {
      throw usage("--search-down " + searchDown + ": " + e.getMessage());
    }
  }

  private CommandLine.ParameterException usage(String message) {
    // the command line that runs this demo, so the message goes to its error stream
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  /**
   * {@code --serve}: a trickle of items until {@link #stop}, while the search backend goes down
   * for 5 s of every 20 s, so the page shows items piling up and draining. A store outage does
   * not end the trickle ({@link Trickle}): it resumes when the store is back.
   */
  private void serve(WorkerPoolQueue<IndexerData> indexer, WorkerPoolQueue<Mail> mail,
      SearchBackend search) throws InterruptedException {
    out.println("serving until Ctrl-C: a trickle of items, the search backend down 5s of every 20s");
    search.flap(Duration.ofSeconds(20), Duration.ofSeconds(5));
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread th = new Thread(r, "demo-trickle");
      th.setDaemon(true);
      return th;
    });
    Duration every = Duration.ofMillis(200);
    trickle.scheduleAtFixedRate(new Trickle(indexer, mail, every), 0, every.toMillis(),
        TimeUnit.MILLISECONDS);
    try {
      stop.await();
    } finally {
      trickle.shutdownNow();
    }
    out.println("stopping: queues give their unfinished items back to the store");
  }

  private static void count(Map<String, Tally> tallies, String queue, PushResult r) {
    Tally t = tallies.get(queue);
    (r == PushResult.ADDED ? t.added : t.duplicates).increment();
  }

  private void printProgress(QueueManager queues) {
    StringBuilder b = new StringBuilder();
    for (WorkerPoolQueue<?> q : queues.queues()) {
      QueueStats s = q.stats();
      b.append(String.format("  %-18s handled %6d  ready %5d  in flight %4d  delayed %4d  dead %2d%n",
          q.name(), s.handled(), s.ready(), s.inFlight(), s.delayed(), s.dead()));
    }
    out.print(b);
    out.println();
  }

  private boolean summary(QueueManager queues, Map<String, Tally> tallies, boolean drained,
      SearchBackend search) {
    out.println("summary:");
    boolean all = drained;
    for (WorkerPoolQueue<?> q : queues.queues()) {
      Tally t = tallies.get(q.name());
      QueueStats s = q.stats();
      long added = t.added.sum();
      long pushed = added + t.duplicates.sum();
      long waiting = q.len();
      // A retried copy that meets a newer waiting copy of the same item merges into it.
      long accounted = s.handled() + s.deadLettered() + s.merged() + waiting;
      boolean ok = accounted == added + t.leftover;
      all &= ok;
      out.printf("  %-18s pushed %d = %d added + %d already waiting; %d added%s = %d handled + %d "
              + "dead-lettered + %d merged into a waiting copy + %d waiting: %s%n",
          q.name(), pushed, added, t.duplicates.sum(), added,
          t.leftover > 0 ? " + " + t.leftover + " from an earlier run" : "",
          s.handled(), s.deadLettered(), s.merged(), waiting, ok ? "all accounted for" : "MISMATCH");
      if (s.deadLettered() > 0) {
        q.deadLetters(0, 3).forEach(d -> out.printf("  %-18s dead letter #%d: %s (%s)%n", "",
            d.id(), d.json(), d.reason()));
      }
    }
    out.printf("search backend indexed %d issues after coming back up%n", search.indexed());
    out.println(all ? "every pushed item is accounted for" : "NOT every item is accounted for");
    return all;
  }
}
