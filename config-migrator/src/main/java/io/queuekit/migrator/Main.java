package io.queuekit.migrator;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code config-migrator}: checks a queuekit/Gitea INI file and migrates removed queue options.
 *
 * <pre>
 * java -jar config-migrator.jar check [--format text|json] [--strict] FILE
 * java -jar config-migrator.jar migrate [--write] [--show-secrets] FILE
 * </pre>
 *
 * <p>Exit codes: 0 clean (or migrated cleanly), 1 a fatal finding or a migration conflict, 2 a
 * usage error or a file that cannot be read or written, 70 an internal error. The checks are
 * {@link io.queuekit.ini.ConfigCheck}, the code {@code QueueManager} runs when it loads the file.
 */
@Command(name = "config-migrator", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Checks a queue configuration (app.ini) and migrates removed queue options.",
    subcommands = {CheckCommand.class, MigrateCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:clean", "1:a fatal finding, or a migration conflict",
        "2:usage error, or a file that cannot be read, is not text, or cannot be written",
        "70:internal error, or out of memory"})
public final class Main implements Runnable {
  static final int OK = 0;
  static final int FATAL = 1;
  static final int USAGE = CommandLine.ExitCode.USAGE;
  static final int INTERNAL = 70;

  @Spec
  private CommandSpec spec;

  /** Runs the CLI and exits with its code. */
  public static void main(String[] args) {
    int code;
    try {
      code = commandLine().execute(args);
    } catch (OutOfMemoryError e) {
      // picocli hands Errors on: one line, not a stack trace, and the documented exit code
      System.err.println("config-migrator: out of memory (" + e.getMessage() + "); run it with a "
          + "larger heap, e.g. java -Xmx1g -jar config-migrator.jar ...");
      code = INTERNAL;
    }
    System.exit(code);
  }

  /** The configured command line: tests call {@code execute} on it with their own writers. */
  static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new Main());
    cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      err.println("config-migrator: internal error: " + e);
      e.printStackTrace(err);
      err.flush();
      return INTERNAL;
    });
    return cmd;
  }

  @Override
  public void run() {
    // No subcommand: a usage error.
    throw new CommandLine.ParameterException(spec.commandLine(),
        "missing command: check or migrate");
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"config-migrator " + (v == null ? "(development build)" : v)};
    }
  }
}
