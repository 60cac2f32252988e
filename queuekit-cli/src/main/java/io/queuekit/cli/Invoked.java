package io.queuekit.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The command a command method runs as, given to the method as a {@code @Mixin} parameter (a
 * method cannot have {@code @Spec} itself, and its class's {@code @Spec} is the parent command's):
 * a usage error made here shows the usage of the command that was run, {@code queuekit dead
 * list}, not its parent's {@code queuekit dead [COMMAND]}.
 *
 * <p><b>Thread-safety:</b> one command at a time, as picocli runs them.
 */
@Command // a mixin needs a picocli annotation; this one adds nothing to the command
final class Invoked {
  @Spec(Spec.Target.MIXEE) CommandSpec spec;

  /** A usage error of this command: picocli prints {@code message} and this command's usage. */
  CommandLine.ParameterException usageError(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  /** {@link #usageError(String)}, caused by {@code cause}. */
  CommandLine.ParameterException usageError(String message, Throwable cause) {
    return new CommandLine.ParameterException(spec.commandLine(), message, cause);
  }

  /** This command's error stream. */
  PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
