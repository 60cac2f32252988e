package io.queuekit.migrator;

import io.queuekit.ini.ConfigCheck;
import io.queuekit.ini.Finding;
import io.queuekit.ini.IniFile;
import io.queuekit.ini.IniParseException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code migrate FILE}: prints the unified diff of the migration ({@link Migration}) on standard
 * output and what it did on standard error; with {@code --write}, replaces the file atomically
 * after a backup. Exit 0 when nothing is left to fix, 1 when a conflict or another error remains,
 * 2 when the file cannot be read or written.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = {"Moves each removed queue option in FILE to its replacement in [queue.NAME],"
        + " moves [task] QUEUE_* to [queue.task], and rewrites old key=value Redis CONN_STR"
        + " values as URIs, keeping every other line byte for byte. Never overwrites a key that"
        + " is already set: such a conflict is reported and left alone.",
        "Prints a unified diff (passwords masked unless --show-secrets: patch cannot apply a"
            + " masked line, and a note on standard error says when the diff holds one); --write"
            + " replaces FILE atomically and keeps a backup (FILE.bak, or FILE.bak.<time> if that"
            + " exists)."})
final class MigrateCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "the INI file, e.g. custom/conf/app.ini")
  private Path file;

  @Option(names = "--write", description = "replace FILE (after a backup) instead of only"
      + " printing the diff")
  private boolean write;

  @Option(names = "--show-secrets", description = "do not mask passwords in the diff")
  private boolean showSecrets;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    IniFile before;
    try {
      before = TextFile.read(file);
    } catch (TextFile.Unreadable e) {
      err.println("config-migrator: " + e.getMessage());
      return Main.USAGE;
    } catch (IniParseException e) {
      err.println("config-migrator: " + e.getMessage());
      err.println("    fix: correct the line first: go-ini (and so Gitea) cannot read the file");
      return Main.FATAL;
    }
    Migration.Result result = Migration.run(before);
    boolean masked = UnifiedDiff.write(result.before(), result.after(), result.changes(),
        !showSecrets, out::println);
    out.flush();
    if (masked) {
      err.println("note: lines of this diff that hold a password show it as ****, so patch will"
          + " not apply them (a - or context line no longer matches " + file + ", and a + line"
          + " would write ****); apply the migration with --write, or print a diff patch applies"
          + " with --show-secrets (it shows the passwords)");
    }
    for (Migration.Step s : result.steps()) {
      err.println(s);
    }
    IniFile after = result.after();
    boolean changed = result.changed();
    boolean conflicts = !result.conflicts().isEmpty();
    // Let the original go before the check below: a large file is not held twice longer than
    // needed.
    result = null;
    before = null;
    if (!changed) {
      err.println(file + ": nothing to migrate");
    } else if (write) {
      try {
        Path backup = AtomicFileWrite.replace(file, after);
        err.println("wrote " + file + " (backup: " + backup + ")");
      } catch (IOException e) {
        err.println("config-migrator: cannot write " + file + ": " + e
            + (e.getCause() == null ? "" : " (" + e.getCause() + ")"));
        return Main.USAGE;
      }
    } else {
      err.println(file + ": not written; run again with --write to apply this diff");
    }
    List<Finding> remaining = ConfigCheck.run(after);
    long errors = remaining.stream().filter(Finding::fatal).count();
    long warnings = remaining.size() - errors;
    if (!remaining.isEmpty()) {
      err.println("after migration: " + FindingText.summary(file.toString(), errors, warnings,
          false) + " (config-migrator check lists them)");
    }
    err.flush();
    return errors > 0 || conflicts ? Main.FATAL : Main.OK;
  }
}
