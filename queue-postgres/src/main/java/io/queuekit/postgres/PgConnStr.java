package io.queuekit.postgres;

import io.queuekit.QueueConfigException;
import io.queuekit.internal.ConnStrings;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.postgresql.PGProperty;

/**
 * A PostgreSQL {@code CONN_STR}, parsed: {@code postgres://user:pass@host:port/db?schema=…&pool=…}
 * ({@code postgresql://} too), or pgjdbc's own {@code jdbc:postgresql://host:port/db?user=…}.
 * Every other query parameter ({@code sslmode}, {@code connectTimeout}, …) goes to pgjdbc as is.
 * Ours: {@code schema} (default {@code public}; created when missing) and {@code pool} (the
 * HikariCP pool size, default 10, 2 to 200). pgjdbc's {@code socketTimeout} defaults to {@value
 * #DEFAULT_SOCKET_TIMEOUT_SECONDS} s here (pgjdbc's own default, 0, waits without end).
 *
 * <p>{@link #toString()} and every error masks the password.
 *
 * <p><b>Thread-safety:</b> immutable.
 */
record PgConnStr(String jdbcUrl, String user, String password, String schema, int poolSize,
    String display) {
  static final Set<String> SCHEMES = Set.of("postgres", "postgresql", "jdbc");
  /**
   * How long a statement waits for the server's reply before its connection counts as lost,
   * unless {@code CONN_STR} sets {@code socketTimeout}: far above any statement of ours (they
   * take milliseconds; the longest, a purge of a large queue, seconds), and it bounds what a
   * silent host costs a caller.
   */
  static final int DEFAULT_SOCKET_TIMEOUT_SECONDS = 30;
  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  /** The mask every other output puts in place of a password (ConnStrings'), for the display. */
  private static final String MASK = maskOf("//u:p@h");

  private static String maskOf(String sample) {
    String m = ConnStrings.mask(sample);
    return m.substring(m.indexOf(':') + 1, m.lastIndexOf('@'));
  }

  /** The key sharing one pool: every part, so a changed password is a new pool (never shown). */
  String key() {
    return jdbcUrl + "|" + user + "|" + password + "|" + schema + "|" + poolSize;
  }

  @Override
  public String toString() {
    return display;
  }

  /**
   * Parses {@code connStr}.
   *
   * @throws QueueConfigException naming what is wrong, with the password masked
   */
  static PgConnStr parse(String connStr) {
    if (connStr == null || connStr.isBlank()) {
      throw new QueueConfigException("CONN_STR is empty: TYPE=postgres needs "
          + "postgres://USER:PASSWORD@HOST:PORT/DATABASE");
    }
    String s = connStr.strip();
    String masked = ConnStrings.maskConnStr(s);
    boolean jdbc = s.startsWith("jdbc:postgresql://");
    if (!jdbc && !s.startsWith("postgres://") && !s.startsWith("postgresql://")) {
      throw new QueueConfigException("CONN_STR=" + masked + " is not a PostgreSQL URL: write "
          + "postgres://USER:PASSWORD@HOST:PORT/DATABASE or jdbc:postgresql://HOST:PORT/DATABASE");
    }
    URI uri;
    try {
      uri = new URI(jdbc ? s.substring("jdbc:".length()) : s);
    } catch (URISyntaxException e) {
      throw new QueueConfigException("CONN_STR=" + masked + " is not a valid URL ("
          + e.getReason() + ")");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new QueueConfigException("CONN_STR=" + masked + badAuthority(uri.getRawAuthority(),
          s.substring(s.indexOf("//") + 2)));
    }
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    if (port < 1 || port > 65535) {
      throw new QueueConfigException("CONN_STR=" + masked + ": port " + port
          + " is not from 1 to 65535");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String database = decode(path.startsWith("/") ? path.substring(1) : path);
    if (database.isEmpty() || database.contains("/")) {
      throw new QueueConfigException("CONN_STR=" + masked + " names no database: write "
          + "postgres://USER:PASSWORD@HOST:PORT/DATABASE");
    }
    Map<String, String> params = query(uri.getRawQuery());
    String user = params.remove("user");
    String password = params.remove("password");
    String info = uri.getRawUserInfo();
    if (info != null) {
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      if (colon >= 0) {
        password = decode(info.substring(colon + 1));
      }
    }
    String schema = params.remove("schema");
    if (schema == null) {
      schema = "public";
    } else if (!SCHEMA.matcher(schema).matches()) {
      throw new QueueConfigException("CONN_STR=" + masked + ": schema=" + schema + " is not a "
          + "lower-case SQL name (a-z, 0-9, _; at most 63)");
    }
    int pool = 10;
    String p = params.remove("pool");
    if (p != null) {
      try {
        pool = Integer.parseInt(p);
      } catch (NumberFormatException e) {
        pool = -1;
      }
      if (pool < 2 || pool > 200) {
        throw new QueueConfigException("CONN_STR=" + masked + ": pool=" + p
            + " is not a pool size from 2 to 200");
      }
    }
    for (Map.Entry<String, String> e : params.entrySet()) {
      checkDriverProperty(masked, e.getKey(), decode(e.getValue()));
    }
    // pgjdbc's default is no read timeout: a statement sent to a host that went silent (a
    // partition, a frozen VM, a failed-over address) would wait for the kernel to give up on
    // the connection, about 15 minutes, holding the caller, the claim loop and the beat
    params.putIfAbsent("socketTimeout", Integer.toString(DEFAULT_SOCKET_TIMEOUT_SECONDS));
    StringBuilder url = new StringBuilder("jdbc:postgresql://").append(host.contains(":")
        ? "[" + host + "]" : host).append(':').append(port).append('/').append(database);
    char sep = '?';
    for (Map.Entry<String, String> e : params.entrySet()) {
      url.append(sep).append(e.getKey()).append('=').append(e.getValue());
      sep = '&';
    }
    String display = "postgres://" + (user == null ? ""
        : user + (password == null ? "" : ":" + MASK) + "@") + host + ":" + port + "/" + database + (schema.equals("public") ? ""
        : "?schema=" + schema);
    return new PgConnStr(url.toString(), user, password, schema, pool, display);
  }

  /**
   * Why {@link URI} found no host in {@code authority} (the user information, then HOST:PORT):
   * it reads one with a port that is not a number, or a host name it does not accept, as no
   * host at all, which would send the reader looking in the wrong place. {@code afterSlashes}
   * is the text after {@code //}: an {@code @} in it that the authority lacks means the user
   * information holds a {@code /}, {@code ?} or {@code #}, which ended the authority inside the
   * password; then nothing of the authority is quoted (it is part of the password).
   */
  private static String badAuthority(String authority, String afterSlashes) {
    if (afterSlashes.indexOf('@') >= 0 && (authority == null || authority.indexOf('@') < 0)) {
      return " names no host that can be read: a '/', '?' or '#' in the user name or password "
          + "ends the host part early; percent-encode them (%2F, %3F, %23)";
    }
    String hostPort = authority == null ? "" : authority.substring(authority.lastIndexOf('@') + 1);
    // a bracketed IPv6 address holds colons of its own: the port follows the closing bracket
    int colon = hostPort.lastIndexOf(':');
    if (colon > hostPort.lastIndexOf(']')) {
      String port = hostPort.substring(colon + 1);
      if (!port.chars().allMatch(Character::isDigit)) {
        return ": port " + port + " is not a number (write HOST:PORT, e.g. db.internal:5432)";
      }
      hostPort = hostPort.substring(0, colon);
    }
    if (hostPort.isEmpty()) {
      return " names no host: write postgres://USER:PASSWORD@HOST:PORT/DATABASE";
    }
    return ": host " + hostPort + " is not a valid host name (letters, digits, '-' and '.')";
  }

  /**
   * A parameter for pgjdbc must be one of its connection properties, with one of its values where
   * it lists them: pgjdbc ignores a name it does not know (a mistyped {@code sslmode} would
   * connect without TLS), and a bad value fails only at connect, after the pool's wait, looking
   * like an unreachable server.
   */
  private static void checkDriverProperty(String masked, String name, String value) {
    PGProperty p = PGProperty.forName(name);
    if (p == null) {
      throw new QueueConfigException("CONN_STR=" + masked + ": " + name + " is not a parameter "
          + "queuekit (schema, pool) or the PostgreSQL JDBC driver knows");
    }
    String[] choices = p.getChoices();
    if (choices != null && choices.length > 0
        && Arrays.stream(choices).noneMatch(c -> c.equalsIgnoreCase(value))) {
      throw new QueueConfigException("CONN_STR=" + masked + ": " + name + "=" + value
          + " is not one of " + String.join(", ", choices));
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = decode(eq < 0 ? pair : pair.substring(0, eq));
      // values other than ours go to pgjdbc still encoded, as written
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.put(k, Set.of("user", "password", "schema", "pool").contains(k) ? decode(v) : v);
    }
    return out;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
