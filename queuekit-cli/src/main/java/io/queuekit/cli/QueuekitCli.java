package io.queuekit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueException;
import io.queuekit.QueueUnavailableException;
import io.queuekit.internal.Previews;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.StoreNotFoundException;
import io.queuekit.spi.StoreStats;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code queuekit}: the queues an {@code app.ini} names, seen and acted on from outside the
 * service: figures, dead letters (list, show, replay, purge) and remove-all. Redis queues work
 * while services run; LevelDB queues only when no process holds the directory.
 *
 * <pre>
 * java -jar queuekit.jar --config app.ini [--data DIR] [--format text|json] queues
 * java -jar queuekit.jar --config app.ini dead list issue_indexer
 * java -jar queuekit.jar --config app.ini dead replay issue_indexer 12 13   (or --all)
 * </pre>
 */
@Command(name = "queuekit", mixinStandardHelpOptions = true, versionProvider = QueuekitCli.Version.class,
    description = "Shows and acts on the queues of a queuekit/Gitea app.ini from outside the service.",
    subcommands = {DeadCommand.class, HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:done",
        "2:usage error, or no such queue: its store does not exist where the configuration says (nothing is created), "
            + "or run as a user who does not own the queue's LevelDB directory (run it as the owner)",
        "3:configuration error (the file, a setting, an unknown queue type)",
        "4:store unavailable (unreachable, or a LevelDB directory held by a running process)",
        "5:not possible from outside the service (pause, resume, in-memory queues)",
        "70:internal error"})
public final class QueuekitCli implements Runnable {
  static final int OK = 0;
  static final int USAGE = CommandLine.ExitCode.USAGE;
  static final int CONFIG = 3;
  static final int UNAVAILABLE = 4;
  static final int NOT_FROM_OUTSIDE = 5;
  static final int INTERNAL = 70;

  // the global options are inherited: each command takes them, before or after its name
  @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "the app.ini whose [queue] sections to read")
  Path config;

  @Option(names = "--data", paramLabel = "DIR", defaultValue = "data", scope = ScopeType.INHERIT,
      description = "the data path relative DATADIRs resolve against (default: ${DEFAULT-VALUE})")
  Path data;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text", scope = ScopeType.INHERIT,
      description = "the output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
  Format format;

  @Spec CommandSpec spec;

  /** Who may open a LevelDB directory: its owner. */
  private final LevelDbOwner owner;

  enum Format { text, json }

  static final ObjectMapper JSON = new ObjectMapper()
      .findAndRegisterModules()
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(SerializationFeature.INDENT_OUTPUT);

  private QueuekitCli(LevelDbOwner owner) {
    this.owner = owner;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line; tests call {@code execute} with their own writers. */
  static CommandLine commandLine() {
    return commandLine(LevelDbOwner.PROCESS_USER);
  }

  /**
   * As {@link #commandLine()}, taking the user the command runs as from {@code currentUser}: a
   * test cannot run as another user, so it names one.
   */
  static CommandLine commandLine(java.util.function.Supplier<String> currentUser) {
    CommandLine cmd = new CommandLine(new QueuekitCli(new LevelDbOwner(currentUser)));
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    versionEverywhere(cmd);
    cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      int code = exitCode(e);
      if (code == INTERNAL) {
        err.println("queuekit: internal error: " + e);
        e.printStackTrace(err);
        err.flush();
        return INTERNAL;
      }
      report(err, e);
      return code;
    });
    return cmd;
  }

  /** Every subcommand's {@code -V} says queuekit's version, as {@code queuekit -V} does. */
  private static void versionEverywhere(CommandLine cmd) {
    for (CommandLine sub : cmd.getSubcommands().values()) {
      sub.getCommandSpec().versionProvider(cmd.getCommandSpec().versionProvider());
      versionEverywhere(sub);
    }
  }

  /** The documented exit code for a command that failed with {@code e}. */
  static int exitCode(Exception e) {
    if (e instanceof Stores.NotFromOutside) {
      return NOT_FROM_OUTSIDE;
    } else if (e instanceof StoreNotFoundException || e instanceof LevelDbOwner.NotTheOwner) {
      // a queue name, --data or CONN_STR that names nothing: what was asked for is not there; or
      // a LevelDB directory to be opened as its owner: the command is to be run otherwise
      return USAGE;
    } else if (e instanceof QueueUnavailableException) {
      return UNAVAILABLE;
    } else if (e instanceof QueueConfigException) {
      return CONFIG;
    } else if (e instanceof QueueException) {
      return UNAVAILABLE;
    }
    return INTERNAL;
  }

  /** What to do about a LevelDB directory a running service holds. */
  private static final String HELD = "a running service holds this LevelDB directory: act through its admin "
      + "page (queue-admin), or stop it first";

  /** Whether {@code e} says a running process holds the LevelDB directory. */
  private static boolean held(Exception e) {
    return exitCode(e) == UNAVAILABLE && String.valueOf(e.getMessage()).contains("LOCK");
  }

  /** {@code e}'s message on {@code err}, with what to do about a held LevelDB directory. */
  static void report(PrintWriter err, Exception e) {
    err.println("queuekit: " + e.getMessage());
    if (held(e)) {
      err.println("queuekit: " + HELD);
    }
    err.flush();
  }

  /** {@code e}'s message for a row of {@code queues}, with what to do about a held LevelDB directory. */
  static String problem(Exception e) {
    return e.getMessage() + (held(e) ? "; " + HELD : "");
  }

  /** Old scripts pass {@code --unique}; it is no longer needed, so say so on {@code err} and go on. */
  static void uniqueIgnored(boolean unique, PrintWriter err) {
    if (unique) {
      err.println("queuekit: --unique is no longer needed and is ignored: each queue is opened as the "
          + "flavour (simple or unique) its store recorded");
      err.flush();
    }
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: queues, dead, remove-all, pause or resume");
  }

  Stores stores() {
    return new Stores(config, data, spec.commandLine().getErr(), owner);
  }

  void print(Object json, String text) {
    PrintWriter out = spec.commandLine().getOut();
    if (format == Format.json) {
      try {
        out.println(JSON.writeValueAsString(json));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException("could not write JSON", e);
      }
    } else {
      out.print(text);
    }
    out.flush();
  }

  @Command(name = "queues", mixinStandardHelpOptions = true, description = {
      "Figures of every configured queue (or of those named).",
      "A queue that cannot be shown gets a row saying why; the others are shown all the same, and the exit "
          + "code is the first such row's.",
      "The table's columns fit their contents; a queue name longer than " + QueuesTable.NAME_MAX
          + " characters is cut there, ending in …, and --format json gives it whole."})
  int queues(@Mixin Invoked self,
      @Option(names = "--unique", hidden = true, description = UNIQUE) boolean unique,
      @Parameters(paramLabel = "QUEUE", arity = "0..*",
          description = "queues to show (default: every [queue.NAME]; a usage error when there is none)")
      List<String> names) {
    uniqueIgnored(unique, self.err());
    try (Stores stores = stores()) {
      boolean named = names != null && !names.isEmpty();
      if (!named && stores.configured().isEmpty()) {
        // an empty table with exit code 0 reads as "no queues, all fine"; a Gitea app.ini often
        // has only [queue], its queues being named in code
        throw self.usageError(noQueuesNamed());
      }
      List<String> queues = named ? names : new ArrayList<>(stores.configured());
      List<Map<String, Object>> rows = new ArrayList<>();
      QueuesTable text = new QueuesTable();
      int code = OK;
      List<String> failed = new ArrayList<>();
      for (String name : queues) {
        String type = stores.settings(name).type();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", name);
        row.put("type", type);
        try {
          BaseQueue q = stores.open(name);
          StoreStats s = q.stats();
          Instant oldest = s.oldestWaiting().orElse(null);
          row.put("unique", q.unique());
          row.put("ready", s.ready());
          row.put("delayed", s.delayed());
          row.put("inFlight", s.inFlight());
          row.put("dead", s.dead());
          row.put("oldestWaiting", oldest);
          text.figures(name, type, s, oldest == null ? "-" : age(Duration.between(oldest, Instant.now())));
        } catch (Stores.NotFromOutside e) {
          row.put("problem", e.getMessage());
          text.without(name, type, type.equals("channel")
              ? "(in the service's memory: see its admin page)" : "(keeps no items: see the service's admin page)");
        } catch (QueueException e) {
          // one queue's failure (not there, unreachable, locked, the wrong setting) is its row's,
          // said there only: the rows and the error stream often share a terminal
          String problem = problem(e);
          row.put("problem", problem);
          text.without(name, type, "error: " + Previews.text(problem, Integer.MAX_VALUE));
          failed.add(name);
          code = code == OK ? exitCode(e) : code;
        }
        rows.add(row);
      }
      print(rows, text.toString());
      if (!failed.isEmpty()) {
        // output sent to a file or a pipe still leaves a word on the terminal
        PrintWriter err = self.err();
        err.println("queuekit: could not show " + String.join(", ", failed) + ": see "
            + (failed.size() == 1 ? "its row" : "their rows"));
        err.flush();
      }
      return code;
    }
  }

  /** Why {@code queues} has nothing to show, and how to name queues. */
  private String noQueuesNamed() {
    if (config == null) {
      return "no queues named: no --config FILE was given; name the queues to show: "
          + "queuekit --config app.ini queues NAME...";
    }
    return "no queues named in " + config + ": add [queue.NAME] sections, or name the queues to show: "
        + "queuekit --config " + config + " queues NAME...";
  }

  /** The description of the hidden {@code --unique} every command takes from old scripts. */
  static final String UNIQUE = "ignored: each queue is opened as the flavour its store recorded";

  @Command(name = "remove-all", mixinStandardHelpOptions = true, description = {
      "Deletes every waiting item of a queue.",
      "JSON: {\"queue\": QUEUE, \"removed\": N}, in that order."})
  int removeAll(@Mixin Invoked self,
      @Option(names = "--yes", description = "confirm: the items cannot be brought back") boolean yes,
      @Option(names = "--unique", hidden = true, description = UNIQUE) boolean unique,
      @Parameters(paramLabel = "QUEUE", description = "the queue to empty") String queue) {
    uniqueIgnored(unique, self.err());
    if (!yes) {
      throw self.usageError("remove-all deletes every waiting item of \"" + queue
          + "\" for good: add --yes to mean it");
    }
    try (Stores stores = stores()) {
      long removed = stores.open(queue).removeAll();
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("queue", queue);
      json.put("removed", removed);
      print(json, "removed " + count(removed, "waiting item") + " of " + queue + "\n");
      return OK;
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true,
      description = "Not possible from outside: a pause is the running service's state.")
  int pause(@Parameters(paramLabel = "QUEUE", description = "the queue to pause") String queue) {
    throw new Stores.NotFromOutside(notFromOutside("pause", queue));
  }

  @Command(name = "resume", mixinStandardHelpOptions = true,
      description = "Not possible from outside: a pause is the running service's state.")
  int resume(@Parameters(paramLabel = "QUEUE", description = "the queue to resume") String queue) {
    throw new Stores.NotFromOutside(notFromOutside("resume", queue));
  }

  private static String notFromOutside(String what, String queue) {
    return what + " \"" + queue + "\": pausing is held by each running service, not by the store; "
        + "use the service's admin page (queue-admin, POST /api/queues/" + queue + "/" + what + ")";
  }

  /** {@code n} and {@code noun}, plural unless n is 1: "1 dead letter", "2 dead letters". */
  static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  static String age(Duration d) {
    long s = Math.max(0, d.getSeconds());
    return s < 120 ? s + "s" : s < 7200 ? (s / 60) + "m" : (s / 3600) + "h";
  }

  static Map<String, Object> deadJson(DeadLetter d, boolean whole) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", d.id());
    m.put("reason", d.reason());
    m.put("deliveryCount", d.deliveryCount());
    m.put("recoveryCount", d.recoveryCount());
    m.put("firstPushed", d.firstPushed());
    m.put("deadAt", d.deadAt());
    m.put(whole ? "payload" : "preview", jsonText(d.payload(), whole ? Integer.MAX_VALUE : 80));
    return m;
  }

  /**
   * A payload as JSON text: decoded as UTF-8 (invalid bytes as U+FFFD) and not escaped, since the
   * JSON writer escapes control characters itself (the text output's escapes would be escaped a
   * second time); at most {@code max} characters, then how many bytes the whole payload has.
   */
  private static String jsonText(byte[] payload, int max) {
    String s = new String(payload, java.nio.charset.StandardCharsets.UTF_8);
    if (s.length() <= max) {
      return s;
    }
    int cut = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.substring(0, cut) + "…(" + payload.length + " bytes)";
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = QueuekitCli.class.getPackage().getImplementationVersion();
      return new String[] {"queuekit " + (v == null ? "(development build)" : v)};
    }
  }
}
