package io.queuekit.migrator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.queuekit.ini.ConfigCheck;
import io.queuekit.ini.Finding;
import io.queuekit.ini.IniFile;
import io.queuekit.ini.IniParseException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code check FILE}: prints every finding; exit 0 clean, 1 fatal, 2 usage or unreadable file. */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = {"Prints every problem of the queue configuration in FILE: where it is (file:line,"
        + " section, key), how bad (error: queuekit and Gitea refuse to start; warning: ignored,"
        + " deprecated or suspicious) and what to do.",
        "These are the checks QueueManager runs when it loads the file."})
final class CheckCommand implements Callable<Integer> {
  enum Format { TEXT, JSON }

  @Spec
  private CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "the INI file, e.g. custom/conf/app.ini")
  private Path file;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
      description = "text (default) or json", converter = FormatConverter.class)
  private Format format;

  @Option(names = "--strict", description = "warnings are fatal too (exit 1)")
  private boolean strict;

  /** {@code text} or {@code json}, in any case. */
  static final class FormatConverter implements picocli.CommandLine.ITypeConverter<Format> {
    @Override
    public Format convert(String value) {
      for (Format f : Format.values()) {
        if (f.name().equalsIgnoreCase(value)) {
          return f;
        }
      }
      throw new picocli.CommandLine.TypeConversionException(
          "'" + value + "' is not a format: use text or json");
    }
  }

  @Override
  public Integer call() throws JsonProcessingException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Finding> findings;
    try {
      findings = ConfigCheck.run(TextFile.read(file));
    } catch (TextFile.Unreadable e) {
      if (format == Format.JSON) {
        // a JSON reader gets a JSON answer even when there is nothing to check
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("file", file.toString());
        doc.put("ok", false);
        doc.put("error", e.getMessage());
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .writeValueAsString(doc));
        out.flush();
      }
      err.println("config-migrator: " + e.getMessage());
      err.flush();
      return Main.USAGE;
    } catch (IniParseException e) {
      findings = List.of(new Finding(e.file(), e.line(), Finding.Severity.ERROR, e.section(),
          null, e.detail(),
          "correct the line: go-ini (and so Gitea) cannot read the file"));
    }
    long errors = findings.stream().filter(Finding::fatal).count();
    long warnings = findings.size() - errors;
    boolean fatal = errors > 0 || (strict && warnings > 0);
    if (format == Format.JSON) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("file", file.toString());
      doc.put("ok", !fatal);
      doc.put("strict", strict);
      doc.put("errors", errors);
      doc.put("warnings", warnings);
      doc.put("findings", findings);
      out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(doc));
    } else {
      for (Finding f : findings) {
        out.println(FindingText.format(f));
      }
      out.println(FindingText.summary(file.toString(), errors, warnings, strict));
    }
    out.flush();
    return fatal ? Main.FATAL : Main.OK;
  }
}
