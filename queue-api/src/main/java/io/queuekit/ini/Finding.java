package io.queuekit.ini;

import java.util.Objects;

/**
 * One problem {@link ConfigCheck} found in a queue configuration: where it is, how bad, and what to
 * do. Passwords in {@code message} and {@code fix} are masked.
 *
 * @param file the file's name, as given to the parser
 * @param line the 1-based line, or 0 when the problem has no single line
 * @param severity {@link Severity#ERROR}: queuekit (like Gitea) refuses to start; {@link
 *     Severity#WARNING}: it starts, but something is ignored, deprecated or suspicious
 * @param section the section, e.g. {@code queue.mail}
 * @param key the key, or {@code null} for a problem with the whole section
 * @param message what is wrong, naming key and value
 * @param fix what to write instead
 */
public record Finding(String file, int line, Severity severity, String section, String key,
    String message, String fix) {

  /** How bad a finding is. */
  public enum Severity {
    /** Loading fails. */
    ERROR,
    /** Loading goes on; the finding is logged. */
    WARNING
  }

  public Finding {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(section, "section");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(fix, "fix");
  }

  /** Whether loading fails because of this finding. */
  public boolean fatal() {
    return severity == Severity.ERROR;
  }

  /** {@code app.ini:12 [queue.mail] LENGTH}: file, line, section and key. */
  public String location() {
    return file + (line > 0 ? ":" + line : "") + " [" + section + "]" + (key == null ? "" : " " + key);
  }

  /** {@code app.ini:12 [queue.mail] LENGTH: message; fix: fix}. */
  @Override
  public String toString() {
    return location() + ": " + message + "; fix: " + fix;
  }
}
