package io.queuekit;

import java.util.regex.Pattern;

/** Masks passwords in connection strings, for every log line, error and listing. */
public final class ConnStrings {
  private static final Pattern URI_PASSWORD = Pattern.compile("(://[^:@/\\s]*:)([^@/\\s]+)(@)");
  private static final Pattern QUERY_PASSWORD =
      Pattern.compile("(?i)((?:^|[?&,\\s])(?:sentinel)?password=)([^&,\\s]*)");

  private ConnStrings() {}

  /** {@code connStr} with every password replaced by {@code ****}. */
  public static String mask(String connStr) {
    if (connStr == null || connStr.isEmpty()) {
      return connStr;
    }
    String s = URI_PASSWORD.matcher(connStr).replaceAll("$1****$3");
    return QUERY_PASSWORD.matcher(s).replaceAll("$1****");
  }
}
