package io.queuekit.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code queuekit help [COMMAND...]}: the usage of the command a path of names leads to, {@code
 * help dead list} that of {@code dead list} (picocli's own help command reads one name only, and
 * showed {@code dead}'s usage for it).
 *
 * <p><b>Thread-safety:</b> one command at a time, as picocli runs them.
 */
@Command(name = "help", helpCommand = true, description = {
    "Shows the usage of a command: help, help dead, help dead list.",
    "Every command also takes -h or --help."})
final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Runnable {

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Parameters(paramLabel = "COMMAND", arity = "0..*",
      description = "the command whose usage to show, with its subcommands: dead list (default: queuekit's)")
  List<String> names = new ArrayList<>();

  private CommandLine self;
  private Help.ColorScheme colors;
  private PrintWriter out;

  @Override
  public void init(CommandLine helpCommandLine, Help.ColorScheme colorScheme, PrintWriter out, PrintWriter err) {
    this.self = helpCommandLine;
    this.colors = colorScheme;
    this.out = out;
  }

  @Override
  public void run() {
    CommandLine shown = self.getParent();
    for (String name : names) {
      CommandLine sub = shown.getSubcommands().get(name);
      if (sub == null) {
        throw new CommandLine.ParameterException(self, "unknown command '" + name + "': "
            + shown.getCommandSpec().qualifiedName() + " has " + (shown.getSubcommands().isEmpty()
                ? "no subcommands" : "the commands " + String.join(", ", shown.getSubcommands().keySet())));
      }
      shown = sub;
    }
    shown.usage(out, colors);
    out.flush();
  }
}
