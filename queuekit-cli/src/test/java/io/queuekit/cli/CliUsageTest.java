package io.queuekit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The command line itself, before any store is opened: every command's help, what its options and
 * parameters are, and which usage a usage error shows.
 */
class CliUsageTest {

  @TempDir Path dir;
  private Path ini;

  record Run(int code, String out, String err) {}

  @BeforeEach
  void writeIni() throws Exception {
    ini = dir.resolve("app.ini");
    Files.writeString(ini, "[queue.index]\nTYPE = level\n");
  }

  private static Run run(String... args) {
    CommandLine cmd = QueuekitCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    return new Run(cmd.execute(args), out.toString(), err.toString());
  }

  /** Every command below {@code cmd}, and {@code cmd}, as the names that lead to it. */
  private static List<List<String>> paths(CommandLine cmd, List<String> path) {
    List<List<String>> all = new ArrayList<>(List.of(path));
    cmd.getSubcommands().forEach((name, sub) -> {
      List<String> longer = new ArrayList<>(path);
      longer.add(name);
      all.addAll(paths(sub, longer));
    });
    return all;
  }

  private static List<List<String>> everyCommand() {
    return paths(QueuekitCli.commandLine(), List.of());
  }

  /**
   * {@code queuekit queues --help} said "Unknown option: '--help'", {@code dead list --help}
   * "Missing required parameter: 'QUEUE'": every command takes -h and --help, and shows its own
   * usage.
   */
  @Test
  void everyCommandTakesHelp() {
    assertThat(everyCommand()).as("the tree is walked").hasSizeGreaterThan(8);
    for (List<String> path : everyCommand()) {
      String name = String.join(" ", path);
      for (String help : List.of("--help", "-h")) {
        List<String> args = new ArrayList<>(path);
        args.add(help);
        Run r = run(args.toArray(String[]::new));
        assertThat(r.code()).as(name + " " + help + ": " + r).isZero();
        assertThat(r.out()).as(name + " " + help).startsWith("Usage: " + ("queuekit " + name).strip() + " ");
        assertThat(r.err()).as(name + " " + help).isEmpty();
      }
      if (!path.contains("help")) {
        List<String> args = new ArrayList<>(path);
        args.add("--version");
        assertThat(run(args.toArray(String[]::new)).out()).as(name + " --version").startsWith("queuekit ");
      }
    }
  }

  /** {@code help dead list} showed the usage of {@code dead}: it shows that of {@code list}. */
  @Test
  void helpShowsTheUsageOfTheCommandItsNamesLeadTo() {
    for (List<String> path : everyCommand()) {
      List<String> args = new ArrayList<>(List.of("help"));
      args.addAll(path);
      Run help = run(args.toArray(String[]::new));
      assertThat(help.code()).as(args + ": " + help).isZero();
      List<String> own = new ArrayList<>(path);
      own.add("--help");
      assertThat(help.out()).as(args.toString()).isEqualTo(run(own.toArray(String[]::new)).out());
    }
    assertThat(run("help", "dead", "list").out()).startsWith("Usage: queuekit dead list ");

    Run unknown = run("help", "dead", "lsit");
    assertThat(unknown.code()).isEqualTo(QueuekitCli.USAGE);
    assertThat(unknown.err()).contains("unknown command 'lsit'").contains("queuekit dead")
        .contains("list, purge, replay, show");
  }

  /**
   * {@code dead list} showed {@code --offset=<arg1>} and {@code --limit=<arg2>} with no word on
   * them, {@code QUEUE} and {@code ID} none either: every option and parameter has a label and a
   * description.
   */
  @Test
  void everyOptionAndParameterSaysWhatItIs() {
    CommandLine root = QueuekitCli.commandLine();
    for (List<String> path : everyCommand()) {
      CommandLine cmd = root;
      for (String name : path) {
        cmd = cmd.getSubcommands().get(name);
      }
      CommandSpec spec = cmd.getCommandSpec();
      List<ArgSpec> args = new ArrayList<>(spec.options());
      args.addAll(spec.positionalParameters());
      for (ArgSpec arg : args) {
        String what = spec.qualifiedName() + " " + (arg.isOption()
            ? ((CommandLine.Model.OptionSpec) arg).longestName() : arg.paramLabel());
        assertThat(String.join(" ", arg.description())).as(what).isNotBlank();
        if (arg.arity().max() > 0) {
          assertThat(arg.paramLabel()).as(what + ": a label, not picocli's <argN>").doesNotStartWith("<");
        }
      }
    }
    String list = run("dead", "list", "--help").out();
    assertThat(list).contains("--offset=N").contains("--limit=N").doesNotContain("<arg");
    assertThat(run("dead", "show", "--help").out()).containsPattern("ID +the dead letter's id");
  }

  /**
   * A usage error in {@code dead list|show|replay|purge} showed {@code Usage: queuekit dead
   * [COMMAND]}, and one in {@code remove-all} or {@code queues} queuekit's: each shows its own.
   */
  @Test
  void aUsageErrorShowsTheUsageOfTheCommandThatWasRun() throws Exception {
    Path none = dir.resolve("none.ini");
    Files.writeString(none, "[queue]\nTYPE = level\n");
    for (String[] args : List.of(
        new String[] {"--config", ini.toString(), "dead", "list", "index", "--limit", "0"},
        new String[] {"--config", ini.toString(), "dead", "replay", "index", "1", "--all"},
        new String[] {"--config", ini.toString(), "dead", "purge", "index"},
        new String[] {"--config", ini.toString(), "dead", "show", "index", "x"},
        new String[] {"--config", ini.toString(), "remove-all", "index"},
        new String[] {"--config", none.toString(), "queues"})) {
      Run r = run(args);
      String command = args[2].equals("dead") ? "dead " + args[3] : args[2];
      assertThat(r.code()).as(String.join(" ", args) + ": " + r).isEqualTo(QueuekitCli.USAGE);
      assertThat(r.err()).as(String.join(" ", args)).contains("Usage: queuekit " + command + " ")
          .doesNotContain("[COMMAND]");
    }
    assertThat(run("--config", ini.toString(), "dead", "list", "index", "--limit", "0").err())
        .contains("--limit 1..10000");
  }

  /**
   * {@code dead replay Q abc} said "Unmatched argument at index 5: 'abc'": an id that is no number
   * is a usage error naming it, before anything is opened, in every command that takes ids.
   */
  @Test
  void anIdThatIsNoNumberIsNamed() {
    for (String[] args : List.of(new String[] {"dead", "replay", "index", "abc"},
        new String[] {"dead", "purge", "index", "12", "abc"}, new String[] {"dead", "show", "index", "abc"})) {
      Run r = run(args);
      assertThat(r.code()).as(String.join(" ", args) + ": " + r).isEqualTo(QueuekitCli.USAGE);
      assertThat(r.err()).as(String.join(" ", args)).startsWith("'abc' is not a dead-letter id")
          .doesNotContain("Unmatched");
    }
  }
}
